/**
 * The MessageTracker's SQLite schema, versioned, and the shapes it stores.
 *
 * Every message is its own SQLite database, and every table or index costs every message a 4 KiB page, so a
 * message is one row: its state and its event history (with each event's forwarding state) as JSON, beside
 * the schema version and the time of its last activity. A message has a handful of events; the row is
 * rewritten whole by every change, in the same single-statement commit, and kept under the budget of
 * message/budget.ts. Events held in quarantine live in a table of their own (quarantine-sql.ts), created
 * only by a message's first quarantined event.
 */
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import type { EventRecord, ForwardState, StoredMessage } from "../message/records.ts";
import { type LegacyRecord, upgradeRecord } from "../message/records-upgrade.ts";
import type { MessageState } from "../message/status.ts";

/** The schema version that {@link migrate} brings every object to. */
export const SCHEMA_VERSION = 4;

const CREATE_STATE = `CREATE TABLE state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  json TEXT,
  events TEXT NOT NULL DEFAULT '[]',
  updated_at INTEGER
)`;

/** The names of this object's tables. */
export function existingTables(sql: SqlStorage): Set<string> {
  const rows = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
  return new Set(rows.map((row) => row.name));
}

/** The schema version of an object whose tables are `tables`: 0 when it has no schema yet. */
export function versionOf(sql: SqlStorage, tables: ReadonlySet<string>): number {
  if (tables.has("schema_version")) {
    return sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0;
  }
  if (!tables.has("state")) return 0;
  return sql.exec<{ version: number }>("SELECT version FROM state WHERE id = 1").toArray()[0]?.version ?? 0;
}

/** The schema version of an object: 0 when it has no schema yet. */
export function schemaVersion(sql: SqlStorage): number {
  return versionOf(sql, existingTables(sql));
}

/**
 * Creates or migrates the schema; safe to call on every construction. Run it inside a transaction so that a
 * migration is all or nothing.
 */
export function migrate(sql: SqlStorage): void {
  const version = schemaVersion(sql);
  if (version === SCHEMA_VERSION) return;
  if (version > SCHEMA_VERSION) {
    throw new Error(`MessageTracker schema version ${version} is newer than this code (${SCHEMA_VERSION})`);
  }
  if (version === 3) {
    // Version 3 had one destination, its forwarding state on each record: it becomes the delivery to `default`.
    const row = sql.exec<{ events: string }>("SELECT events FROM state WHERE id = 1").one();
    const events = (JSON.parse(row.events) as LegacyRecord[]).map(upgradeRecord);
    sql.exec("UPDATE state SET version = ?, events = ? WHERE id = 1", SCHEMA_VERSION, JSON.stringify(events));
    return;
  }
  // Versions 1 and 2 kept one row per event in an `events` table (1 with two indexes and a schema_version
  // table, 2 with the version in `state`); both become the one row.
  const old = version === 0 ? undefined : readTables(sql);
  sql.exec("DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS state; DROP TABLE IF EXISTS schema_version;");
  sql.exec(CREATE_STATE);
  sql.exec(
    "INSERT INTO state (id, version, json, events, updated_at) VALUES (1, ?, ?, ?, ?)",
    SCHEMA_VERSION,
    old?.json ?? null,
    JSON.stringify((old?.events ?? []).map(upgradeRecord)),
    old?.updatedAt ?? null,
  );
}

/** Reads the message (undefined when it has no schema yet). */
export function loadMessage(sql: SqlStorage): StoredMessage {
  const row = sql
    .exec<{ json: string | null; events: string }>("SELECT json, events FROM state WHERE id = 1")
    .toArray()[0];
  return {
    state: row?.json ? (JSON.parse(row.json) as MessageState) : undefined,
    events: row ? (JSON.parse(row.events) as EventRecord[]) : [],
  };
}

/** Writes the message back; `activityAt`, when given, becomes the time of its last activity. */
export function saveMessage(sql: SqlStorage, message: StoredMessage, activityAt?: number): void {
  const json = message.state ? JSON.stringify(message.state) : null;
  const events = JSON.stringify(message.events);
  if (activityAt === undefined) {
    sql.exec("UPDATE state SET json = ?, events = ? WHERE id = 1", json, events);
  } else {
    sql.exec("UPDATE state SET json = ?, events = ?, updated_at = ? WHERE id = 1", json, events, activityAt);
  }
}

/** The time of the message's last activity, or undefined before its first event. */
export function lastActivity(sql: SqlStorage): number | undefined {
  const row = sql.exec<{ updated_at: number | null }>("SELECT updated_at FROM state WHERE id = 1").toArray();
  return row[0]?.updated_at ?? undefined;
}

/** One row of the `events` table of schema versions 1 and 2. */
interface EventRowV2 extends Record<string, SqlStorageValue> {
  seq: number;
  event_id: string;
  instant: string;
  payload: string;
  status_after: string;
  duplicates: number;
  accepted_at: number;
  retry_since: number;
  forward_state: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  forwarded_at: number | null;
  dead_index: string | null;
}

function readTables(sql: SqlStorage): {
  json: string | null;
  updatedAt: number | null;
  events: LegacyRecord[];
} {
  const state = sql
    .exec<{ json: string | null; updated_at: number | null }>(
      "SELECT json, updated_at FROM state WHERE id = 1",
    )
    .toArray()[0];
  const rows = sql.exec<EventRowV2>("SELECT * FROM events ORDER BY seq").toArray();
  return {
    json: state?.json ?? null,
    updatedAt: state?.updated_at ?? null,
    events: rows.map((row) => ({
      seq: row.seq,
      eventId: row.event_id,
      instant: row.instant,
      event: JSON.parse(row.payload) as BandwidthEventOutput,
      statusAfter: row.status_after,
      duplicates: row.duplicates,
      acceptedAt: row.accepted_at,
      retrySince: row.retry_since,
      forwardState: row.forward_state as ForwardState,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
      lastError: row.last_error,
      forwardedAt: row.forwarded_at,
      deadIndex: row.dead_index as LegacyRecord["deadIndex"],
    })),
  };
}
