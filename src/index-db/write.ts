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

// D1 bills a written row for the table row and for each index entry a statement rewrites, and SQLite rewrites
// an index whenever a column of it is assigned, changed or not. So each statement below assigns only what it
// must, and the columns of the by-recipient index are assigned only when they differ (they almost never do).

// One statement for any number of recipients (D1 binds at most 100 parameters), unchanged rows not rewritten.
const UPSERT_RECIPIENTS = `INSERT INTO message_recipients
    (message_id, recipient, direction, application_id, message_time, status, error_code, carrier, delivered_at)
  SELECT ?1, json_extract(value, '$[0]'), ?3, ?4, ?5, json_extract(value, '$[1]'), json_extract(value, '$[2]'),
    json_extract(value, '$[3]'), json_extract(value, '$[4]')
  FROM json_each(?6) WHERE NOT ${NEWER_ROW}
  ON CONFLICT (message_id, recipient) DO UPDATE SET
    status = excluded.status, error_code = excluded.error_code, carrier = excluded.carrier,
    delivered_at = excluded.delivered_at
  WHERE (status, error_code, carrier, delivered_at)
    IS NOT (excluded.status, excluded.error_code, excluded.carrier, excluded.delivered_at)`;

/** The recipients' copies of the message's own columns, where they differ (?3 direction, ?4 application, ?5 time). */
const UPDATE_RECIPIENT_COPIES = `UPDATE message_recipients SET direction = ?3, application_id = ?4, message_time = ?5
  WHERE message_id = ?1 AND NOT ${NEWER_ROW} AND (direction, application_id, message_time) IS NOT (?3, ?4, ?5)`;

/** Columns that only the message's header decides, each in an index: assigned only when one differs. */
const HEADER_COLUMNS = ["direction", "sender", "application_id", "tag", "time"] as const;
/** Columns that change as the message does; `status` and `reconciliation` are in indexes, the others not. */
const CHANGING_COLUMNS = SUMMARY_COLUMNS.filter(
  (column) => column !== "id" && !(HEADER_COLUMNS as readonly string[]).includes(column),
);

const UPSERT_SUMMARY = `INSERT INTO messages (${SUMMARY_COLUMNS.join(", ")})
  VALUES (${SUMMARY_COLUMNS.map((_, i) => `?${i + 1}`).join(", ")})
  ON CONFLICT (id) DO UPDATE SET
    ${CHANGING_COLUMNS.map((column) => `${column} = excluded.${column}`).join(", ")}
  WHERE excluded.updated_at >= messages.updated_at`;

/** The header columns (?3 onwards, in {@link HEADER_COLUMNS} order), where they differ, on a row this write updated. */
const UPDATE_SUMMARY_HEADER = `UPDATE messages
  SET ${HEADER_COLUMNS.map((column, i) => `${column} = ?${i + 3}`).join(", ")}
  WHERE id = ?1 AND updated_at = ?2
    AND (${HEADER_COLUMNS.join(", ")}) IS NOT (${HEADER_COLUMNS.map((_, i) => `?${i + 3}`).join(", ")})`;

/**
 * Stores a message's rows (from `toIndexRows`), replacing what the index held for it, in one D1 batch: its
 * recipient rows first (rows of recipients no longer named are deleted), then its summary; columns and rows
 * that did not change are not rewritten. A write whose `updatedAt` is older than the stored row's changes
 * nothing, so a late retry never undoes a newer write. Answers the D1 rows written (what D1 bills); throws an
 * IndexError when D1 fails, and nothing is then changed.
 */
export function writeMessage(
  db: D1Database,
  rows: MessageIndexRows,
  _formerTimes: readonly number[] = [],
): Promise<number> {
  const { summary: s } = rows;
  const values = summaryValues(s);
  const header = HEADER_COLUMNS.map((column) => values[SUMMARY_COLUMNS.indexOf(column)] ?? null);
  const recipients = JSON.stringify(
    rows.recipients.map((r) => [r.recipient, r.status, r.errorCode, r.carrier, r.deliveredAt]),
  );
  return indexOperation("writeMessage", async () => {
    const results = await db.batch([
      db.prepare(DELETE_OTHER_RECIPIENTS).bind(s.id, s.updatedAt, recipients),
      db.prepare(UPSERT_RECIPIENTS).bind(s.id, s.updatedAt, s.direction, s.applicationId, s.time, recipients),
      db.prepare(UPDATE_RECIPIENT_COPIES).bind(s.id, s.updatedAt, s.direction, s.applicationId, s.time),
      db.prepare(UPSERT_SUMMARY).bind(...values),
      db.prepare(UPDATE_SUMMARY_HEADER).bind(s.id, s.updatedAt, ...header),
    ]);
    return results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0);
  });
}

/** Removes a message's rows (retention deleted the message), in one D1 batch. Throws an IndexError when D1 fails. */
export function deleteMessage(db: D1Database, id: string, _times: readonly number[] = []): Promise<void> {
  return indexOperation("deleteMessage", async () => {
    await db.batch([
      db.prepare("DELETE FROM message_recipients WHERE message_id = ?1").bind(id),
      db.prepare("DELETE FROM messages WHERE id = ?1").bind(id),
    ]);
  });
}
