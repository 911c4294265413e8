/**
 * Keeping a message's rows in the index current: {@link writeMessage} after every change of the message,
 * {@link deleteMessage} when retention deletes it. Called by the message's Durable Object as outbox work (its
 * retries make the index eventually consistent); each is one D1 batch, so one transaction.
 */
import type { MessageIndexRows } from "../message/index-rows.ts";
import { SUMMARY_COLUMNS, summaryValues } from "./columns.ts";
import { indexOperation } from "./index-error.ts";

/** The message row exists and is newer than the write at hand (?1 the id, ?2 the write's updatedAt). */
const NEWER_ROW = "EXISTS (SELECT 1 FROM messages WHERE id = ?1 AND updated_at > ?2)";

const DELETE_OTHER_RECIPIENTS = `DELETE FROM message_recipients
  WHERE message_id = ?1 AND NOT ${NEWER_ROW}
    AND recipient NOT IN (SELECT json_extract(value, '$[0]') FROM json_each(?3))`;

// One statement for any number of recipients (D1 binds at most 100 parameters), unchanged rows not rewritten.
const UPSERT_RECIPIENTS = `INSERT INTO message_recipients
    (message_id, recipient, direction, application_id, message_time, status, error_code, carrier, delivered_at)
  SELECT ?1, json_extract(value, '$[0]'), ?3, ?4, ?5, json_extract(value, '$[1]'), json_extract(value, '$[2]'),
    json_extract(value, '$[3]'), json_extract(value, '$[4]')
  FROM json_each(?6) WHERE NOT ${NEWER_ROW}
  ON CONFLICT (message_id, recipient) DO UPDATE SET
    direction = excluded.direction, application_id = excluded.application_id,
    message_time = excluded.message_time, status = excluded.status, error_code = excluded.error_code,
    carrier = excluded.carrier, delivered_at = excluded.delivered_at
  WHERE (direction, application_id, message_time, status, error_code, carrier, delivered_at)
    IS NOT (excluded.direction, excluded.application_id, excluded.message_time, excluded.status,
      excluded.error_code, excluded.carrier, excluded.delivered_at)`;

const UPSERT_SUMMARY = `INSERT INTO messages (${SUMMARY_COLUMNS.join(", ")})
  VALUES (${SUMMARY_COLUMNS.map((_, i) => `?${i + 1}`).join(", ")})
  ON CONFLICT (id) DO UPDATE SET
    ${SUMMARY_COLUMNS.filter((column) => column !== "id")
      .map((column) => `${column} = excluded.${column}`)
      .join(", ")}
  WHERE excluded.updated_at >= messages.updated_at`;

/**
 * Stores a message's rows (from `toIndexRows`), replacing what the index held for it, in one D1 batch: its
 * recipient rows first (rows of recipients no longer named are deleted), then its summary. A write whose
 * `updatedAt` is older than the stored row's changes nothing, so a late retry never undoes a newer write.
 * Throws an IndexError when D1 fails; nothing is then changed.
 */
export function writeMessage(db: D1Database, rows: MessageIndexRows): Promise<void> {
  const { summary: s } = rows;
  const recipients = JSON.stringify(
    rows.recipients.map((r) => [r.recipient, r.status, r.errorCode, r.carrier, r.deliveredAt]),
  );
  return indexOperation("writeMessage", async () => {
    await db.batch([
      db.prepare(DELETE_OTHER_RECIPIENTS).bind(s.id, s.updatedAt, recipients),
      db.prepare(UPSERT_RECIPIENTS).bind(s.id, s.updatedAt, s.direction, s.applicationId, s.time, recipients),
      db.prepare(UPSERT_SUMMARY).bind(...summaryValues(s)),
    ]);
  });
}

/** Removes a message's rows (retention deleted the message), in one D1 batch. Throws an IndexError when D1 fails. */
export function deleteMessage(db: D1Database, id: string): Promise<void> {
  return indexOperation("deleteMessage", async () => {
    await db.batch([
      db.prepare("DELETE FROM message_recipients WHERE message_id = ?1").bind(id),
      db.prepare("DELETE FROM messages WHERE id = ?1").bind(id),
    ]);
  });
}
