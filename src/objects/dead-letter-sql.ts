/**
 * The DeadLetters index's SQL: every event that could not be forwarded to a destination, across messages,
 * for the operator. One row per event and destination (`entry_key`); the table of the one-destination
 * version (keyed by event id alone) is migrated into it under the destination `default`.
 */
import type { DeadLetterEntry, DeadLetterKey } from "../forward/dead-letter-changes.ts";
import { batchOf, encodeCursor, type MessageIdBatch } from "../message/list-cursor.ts";

export type { DeadLetterEntry, DeadLetterKey };

/** One page of dead letters, oldest first; `nextCursor` is absent on the last page. */
export interface DeadLetterPage {
  items: Array<Omit<DeadLetterEntry, "deadAt"> & { deadAt: string }>;
  total: number;
  nextCursor?: string;
}

/** The row key of one event and destination. */
function keyOf({ eventId, destination }: DeadLetterKey): string {
  return `${eventId} ${destination}`;
}

/** Creates the index table if needed, migrating the one-destination table. */
export function createDeadLetterTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS dead_letter_entries (
    entry_key TEXT PRIMARY KEY,
    event_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    type TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    dead_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS dead_letter_entries_by_time ON dead_letter_entries (dead_at, entry_key);
  CREATE INDEX IF NOT EXISTS dead_letter_entries_by_destination ON dead_letter_entries (destination, dead_at, entry_key);`);
  const old = sql
    .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'dead_letters'")
    .toArray();
  if (old.length === 0) return;
  sql.exec(`INSERT OR IGNORE INTO dead_letter_entries
      (entry_key, event_id, destination, message_id, sequence, type, attempts, last_error, dead_at)
    SELECT event_id || ' default', event_id, 'default', message_id, sequence, type, attempts, last_error, dead_at
    FROM dead_letters;
    DROP TABLE dead_letters;`);
}

/** Adds (or refreshes) entries and removes others, in one transaction's worth of statements. */
export function applyDeadLetterChanges(
  sql: SqlStorage,
  added: readonly DeadLetterEntry[],
  removed: readonly DeadLetterKey[],
): void {
  for (const key of removed) sql.exec("DELETE FROM dead_letter_entries WHERE entry_key = ?", keyOf(key));
  for (const entry of added) {
    sql.exec(
      `INSERT OR REPLACE INTO dead_letter_entries
         (entry_key, event_id, destination, message_id, sequence, type, attempts, last_error, dead_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      keyOf(entry),
      entry.eventId,
      entry.destination,
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
  entry_key: string;
  event_id: string;
  destination: string;
  message_id: string;
  sequence: number;
  type: string;
  attempts: number;
  last_error: string;
  dead_at: number;
}

/** One page of entries (of one destination, or all), oldest first, after `after`. */
export function listDeadLetters(
  sql: SqlStorage,
  limit: number,
  after: [number, string] | undefined,
  destination?: string,
): DeadLetterPage {
  const [time, key] = after ?? [-1, ""];
  const only = destination === undefined ? "" : "destination = ? AND";
  const scope = destination === undefined ? [] : [destination];
  const rows = sql
    .exec<DeadLetterRow>(
      `SELECT * FROM dead_letter_entries WHERE ${only} (dead_at, entry_key) > (?, ?)
       ORDER BY dead_at, entry_key LIMIT ?`,
      ...scope,
      time,
      key,
      limit + 1,
    )
    .toArray();
  const total = sql
    .exec<{ n: number }>(
      `SELECT COUNT(*) AS n FROM dead_letter_entries ${destination === undefined ? "" : "WHERE destination = ?"}`,
      ...scope,
    )
    .one().n;
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      eventId: row.event_id,
      destination: row.destination,
      messageId: row.message_id,
      sequence: row.sequence,
      type: row.type,
      attempts: row.attempts,
      lastError: row.last_error,
      deadAt: new Date(row.dead_at).toISOString(),
    })),
    total,
    ...(rows.length > limit && last ? { nextCursor: encodeCursor([last.dead_at, last.entry_key]) } : {}),
  };
}

/**
 * Distinct ids of messages that have dead events, in id order after the id `after` (when given), up to
 * `limit`: of any destination, or of `destination` and of every destination not in `configured`. `next` is
 * the last id taken when more remain.
 */
export function deadMessageIds(
  sql: SqlStorage,
  limit: number,
  after = "",
  destination?: string,
  configured: readonly string[] = [],
): MessageIdBatch {
  const removed =
    configured.length > 0 ? ` OR destination NOT IN (${configured.map(() => "?").join(", ")})` : "";
  const scope = destination === undefined ? "" : `AND (destination = ?${removed})`;
  const bindings = destination === undefined ? [] : [destination, ...configured];
  const ids = sql
    .exec<{ message_id: string }>(
      `SELECT DISTINCT message_id FROM dead_letter_entries WHERE message_id > ? ${scope}
       ORDER BY message_id LIMIT ?`,
      after,
      ...bindings,
      limit + 1,
    )
    .toArray()
    .map((row) => row.message_id);
  return batchOf(ids, limit);
}
