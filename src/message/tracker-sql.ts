/**
 * The MessageTracker's SQLite schema, versioned, and the row shapes it stores.
 *
 * Every message is its own SQLite database, so every table or index costs every message a 4 KiB page: the
 * schema is two tables and no index. The version lives in the `state` row; `events` holds a handful of rows per
 * message, so lookups by event id and the pending head are scans of one page, and the event id's uniqueness is
 * kept by `store()`, which looks it up inside the same synchronous transaction that inserts it.
 */

/** The schema version that {@link migrate} brings every object to. */
export const SCHEMA_VERSION = 2;

const CREATE_STATE = `CREATE TABLE state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  json TEXT,
  updated_at INTEGER
)`;

const CREATE_EVENTS = (table: string) => `CREATE TABLE ${table} (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
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
)`;

/** A new object's schema, created at once at the current version (no state yet: `json` is null). */
const CREATE_CURRENT = `${CREATE_STATE}; ${CREATE_EVENTS("events")};
  INSERT INTO state (id, version) VALUES (1, ${SCHEMA_VERSION});`;

/**
 * Version 1 (a `schema_version` table, `state` without a version, `events` with a unique index on `event_id` and
 * a pending index) → version 2: both tables rebuilt without indexes, the version in the `state` row.
 */
const FROM_VERSION_1 = `ALTER TABLE state RENAME TO state_v1;
  ${CREATE_STATE};
  INSERT INTO state (id, version, json, updated_at) SELECT 1, 2, json, updated_at FROM state_v1 WHERE id = 1;
  INSERT OR IGNORE INTO state (id, version) VALUES (1, 2);
  DROP TABLE state_v1;
  ${CREATE_EVENTS("events_v2")};
  INSERT INTO events_v2 SELECT seq, event_id, instant, payload, status_after, duplicates, accepted_at,
    retry_since, forward_state, attempts, next_attempt_at, last_error, forwarded_at, dead_index FROM events;
  DROP TABLE events;
  ALTER TABLE events_v2 RENAME TO events;
  DROP TABLE schema_version;`;

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

/** The schema version of an object: 0 when it has no schema yet. */
export function schemaVersion(sql: SqlStorage): number {
  const tables = new Set(
    sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('schema_version', 'state')",
      )
      .toArray()
      .map((row) => row.name),
  );
  if (tables.has("schema_version")) {
    return sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0;
  }
  if (!tables.has("state")) return 0;
  return sql.exec<{ version: number }>("SELECT version FROM state WHERE id = 1").toArray()[0]?.version ?? 0;
}

/**
 * Creates or migrates the schema; safe to call on every construction. Run it inside a transaction so that a
 * migration is all or nothing.
 */
export function migrate(sql: SqlStorage): void {
  const version = schemaVersion(sql);
  if (version === SCHEMA_VERSION) return;
  if (version === 0) {
    // A version-1 object that never stored an event may have a schema_version table at 0 and nothing else.
    sql.exec("DROP TABLE IF EXISTS schema_version");
    sql.exec(CREATE_CURRENT);
    return;
  }
  if (version === 1) {
    sql.exec(FROM_VERSION_1);
    return;
  }
  throw new Error(`MessageTracker schema version ${version} is newer than this code (${SCHEMA_VERSION})`);
}
