/**
 * The DeadLetters index's SQL: every event that could not be forwarded, across messages, for the operator.
 */
import type { DeadLetterEntry } from "../forward/dead-letter-changes.ts";
import { encodeCursor } from "../message/list-cursor.ts";

export type { DeadLetterEntry };

/** One page of dead letters, oldest first; `nextCursor` is absent on the last page. */
export interface DeadLetterPage {
  items: Array<Omit<DeadLetterEntry, "deadAt"> & { deadAt: string }>;
  total: number;
  nextCursor?: string;
}

/** Creates the index table if needed. */
export function createDeadLetterTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS dead_letters (
    event_id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    type TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    dead_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS dead_letters_by_time ON dead_letters (dead_at, event_id);`);
}

/** Adds (or refreshes) entries and removes others, in one transaction's worth of statements. */
export function applyDeadLetterChanges(
  sql: SqlStorage,
  added: readonly DeadLetterEntry[],
  removed: readonly string[],
): void {
  for (const id of removed) sql.exec("DELETE FROM dead_letters WHERE event_id = ?", id);
  for (const entry of added) {
    sql.exec(
      `INSERT OR REPLACE INTO dead_letters (event_id, message_id, sequence, type, attempts, last_error, dead_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      entry.eventId,
      entry.messageId,
      entry.sequence,
      entry.type,
      entry.attempts,
      entry.lastError,
      entry.deadAt,
    );
  }
}

interface DeadLetterRow extends Record<string, SqlStorageValue> {
  event_id: string;
  message_id: string;
  sequence: number;
  type: string;
  attempts: number;
  last_error: string;
  dead_at: number;
}

/** Encodes the position after `row` as an opaque cursor. */
function cursorAfter(row: DeadLetterRow): string {
  return encodeCursor([row.dead_at, row.event_id]);
}

/** One page of entries, oldest first, after `after`. */
export function listDeadLetters(
  sql: SqlStorage,
  limit: number,
  after: [number, string] | undefined,
): DeadLetterPage {
  const [time, id] = after ?? [-1, ""];
  const rows = sql
    .exec<DeadLetterRow>(
      `SELECT * FROM dead_letters WHERE (dead_at, event_id) > (?, ?) ORDER BY dead_at, event_id LIMIT ?`,
      time,
      id,
      limit + 1,
    )
    .toArray();
  const total = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dead_letters").one().n;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      eventId: row.event_id,
      messageId: row.message_id,
      sequence: row.sequence,
      type: row.type,
      attempts: row.attempts,
      lastError: row.last_error,
      deadAt: new Date(row.dead_at).toISOString(),
    })),
    total,
    ...(rows.length > limit && last ? { nextCursor: cursorAfter(last) } : {}),
  };
}

/** Distinct ids of messages that have dead events, up to `limit`. */
export function deadMessageIds(sql: SqlStorage, limit: number): string[] {
  return sql
    .exec<{ message_id: string }>(
      "SELECT DISTINCT message_id FROM dead_letters ORDER BY message_id LIMIT ?",
      limit,
    )
    .toArray()
    .map((row) => row.message_id);
}
