/**
 * The MessageTracker's SQLite schema, versioned, and the row shapes it stores.
 */

/** Bump with a new entry in MIGRATIONS whenever the schema changes. */
export const SCHEMA_VERSION = 1;

/** Statements that bring a schema at version `index` to `index + 1`. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     json TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE events (
     seq INTEGER PRIMARY KEY,
     event_id TEXT NOT NULL UNIQUE,
     instant TEXT NOT NULL,
     payload TEXT NOT NULL,
     status_after TEXT NOT NULL,
     duplicates INTEGER NOT NULL DEFAULT 0,
     accepted_at INTEGER NOT NULL,
     retry_since INTEGER NOT NULL,
     forward_state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER,
     last_error TEXT,
     forwarded_at INTEGER,
     dead_index TEXT
   );
   CREATE INDEX events_pending ON events (forward_state, seq);`,
];

/** Forwarding state of one event. */
export type ForwardState = "pending" | "delivered" | "dead";

/** One row of `events`. */
export interface EventRow extends Record<string, SqlStorageValue> {
  seq: number;
  event_id: string;
  instant: string;
  payload: string;
  status_after: string;
  duplicates: number;
  accepted_at: number;
  retry_since: number;
  forward_state: ForwardState;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  forwarded_at: number | null;
  /** DeadLetters index work still to do for this event: `add`, `remove`, or null. */
  dead_index: "add" | "remove" | null;
}

/** Creates or migrates the schema behind a version row; safe to call on every construction. */
export function migrate(sql: SqlStorage): void {
  sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  let version = row?.version ?? 0;
  if (!row) sql.exec("INSERT INTO schema_version (version) VALUES (0)");
  for (; version < SCHEMA_VERSION; version++) {
    const statements = MIGRATIONS[version] ?? "";
    sql.exec(statements);
    sql.exec("UPDATE schema_version SET version = ?", version + 1);
  }
}
