/**
 * Keeping a message's row in the index current: {@link writeMessage} after every change of the message,
 * {@link deleteMessage} when retention deletes it. Called by the message's Durable Object as outbox work (its
 * retries make the index eventually consistent), on the message's shard; each is one D1 batch, so one
 * transaction.
 */
import type { MessageIndexRows } from "../message/index-rows.ts";
import { INDEX_COLUMNS, indexValues } from "./columns.ts";
import { indexOperation } from "./index-error.ts";

// D1 bills a written row for the table row and for each index entry a statement writes. The row is keyed by
// (time, id) in a table without other indexes but two partial ones (failed and given-up messages), so a write
// costs one row for most messages, whether it inserts or updates.

/** Every column but the key, from the new values, unless the stored row is newer than the write. */
const UPSERT = `INSERT INTO message_index (${INDEX_COLUMNS.join(", ")})
  VALUES (${INDEX_COLUMNS.map((_, i) => `?${i + 1}`).join(", ")})
  ON CONFLICT (time, id) DO UPDATE SET
    ${INDEX_COLUMNS.slice(2)
      .map((column) => `${column} = excluded.${column}`)
      .join(", ")}
  WHERE excluded.updated_at >= message_index.updated_at`;

/** The row under a former time (?1), if not newer than the write (?3 its updatedAt). */
const DELETE_FORMER = "DELETE FROM message_index WHERE time = ?1 AND id = ?2 AND updated_at <= ?3";

/**
 * Stores a message's row (from `toIndexRows`), replacing what the index held for it, in one D1 batch; the rows
 * it had under `formerTimes` (its header's time changed) are deleted. A write whose `updatedAt` is older than
 * the stored row's changes nothing, so a late retry never undoes a newer write. Answers the D1 rows written
 * (what D1 bills); throws an IndexError when D1 fails, and nothing is then changed.
 */
export function writeMessage(
  db: D1Database,
  rows: MessageIndexRows,
  formerTimes: readonly number[] = [],
): Promise<number> {
  const { summary: s } = rows;
  return indexOperation("writeMessage", async () => {
    const results = await db.batch([
      ...formerTimes.map((time) => db.prepare(DELETE_FORMER).bind(time, s.id, s.updatedAt)),
      db.prepare(UPSERT).bind(...indexValues(rows)),
    ]);
    return results.reduce((sum, result) => sum + (result.meta.rows_written ?? 0), 0);
  });
}

/**
 * Removes a message's row (retention deleted the message) under each of `times` (the times it may be stored
 * under), in one D1 batch. Throws an IndexError when D1 fails.
 */
export function deleteMessage(db: D1Database, id: string, times: readonly number[]): Promise<void> {
  return indexOperation("deleteMessage", async () => {
    if (times.length === 0) return;
    await db.batch(
      times.map((time) => db.prepare("DELETE FROM message_index WHERE time = ?1 AND id = ?2").bind(time, id)),
    );
  });
}
