/**
 * The DestinationHealth object's SQLite schema: one row of health (the pure state of destination-health.ts as
 * JSON, beside the schema version and the destination's name) and the operator events waiting for, or done
 * with, each operator destination.
 */
import { type HealthState, initialHealth } from "../forward/destination-health.ts";
import type { OperatorDelivery } from "../forward/operator-outbox.ts";

/** The schema version {@link createHealthSchema} creates. */
export const HEALTH_SCHEMA_VERSION = 1;

/** Creates the schema if needed; refuses a schema newer than this code. */
export function createHealthSchema(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS health (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    json TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS operator_events (
    event_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    last_error TEXT,
    PRIMARY KEY (event_id, destination)
  );`);
  const version = sql
    .exec<{ version: number }>("SELECT version FROM health WHERE id = 1")
    .toArray()[0]?.version;
  if (version !== undefined && version > HEALTH_SCHEMA_VERSION) {
    throw new Error(
      `DestinationHealth schema version ${version} is newer than this code (${HEALTH_SCHEMA_VERSION})`,
    );
  }
}

/** The stored health (a never-reported destination is healthy) and the name it was stored under. */
export function loadHealth(sql: SqlStorage): { name?: string; state: HealthState } {
  const row = sql
    .exec<{ name: string; json: string }>("SELECT name, json FROM health WHERE id = 1")
    .toArray()[0];
  return row ? { name: row.name, state: JSON.parse(row.json) as HealthState } : { state: initialHealth() };
}

/** Stores the health. */
export function saveHealth(sql: SqlStorage, name: string, state: HealthState): void {
  sql.exec(
    "INSERT OR REPLACE INTO health (id, version, name, json) VALUES (1, ?, ?, ?)",
    HEALTH_SCHEMA_VERSION,
    name,
    JSON.stringify(state),
  );
}

interface DeliveryRow extends Record<string, SqlStorageValue> {
  event_id: string;
  destination: string;
  seq: number;
  body: string;
  state: string;
  attempts: number;
  created_at: number;
  due_at: number;
  last_error: string | null;
}

/** Every operator event entry, oldest first. */
export function loadDeliveries(sql: SqlStorage): OperatorDelivery[] {
  return sql
    .exec<DeliveryRow>("SELECT * FROM operator_events ORDER BY seq")
    .toArray()
    .map((row) => ({
      eventId: row.event_id,
      destination: row.destination,
      seq: row.seq,
      body: row.body,
      state: row.state as OperatorDelivery["state"],
      attempts: row.attempts,
      createdAt: row.created_at,
      dueAt: row.due_at,
      ...(row.last_error === null ? {} : { lastError: row.last_error }),
    }));
}

/** The next `seq` to give a new entry. */
export function nextDeliverySeq(sql: SqlStorage): number {
  return sql.exec<{ seq: number }>("SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM operator_events").one().seq;
}

/** Adds an entry, unless one for the same event and destination exists (a retried report). */
export function insertDelivery(sql: SqlStorage, delivery: OperatorDelivery): void {
  sql.exec(
    `INSERT OR IGNORE INTO operator_events
       (event_id, destination, seq, body, state, attempts, created_at, due_at, last_error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ...deliveryValues(delivery),
  );
}

/** Writes an entry's new state. */
export function saveDelivery(sql: SqlStorage, delivery: OperatorDelivery): void {
  sql.exec(
    `INSERT OR REPLACE INTO operator_events
       (event_id, destination, seq, body, state, attempts, created_at, due_at, last_error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ...deliveryValues(delivery),
  );
}

/** Removes an entry. */
export function deleteDelivery(sql: SqlStorage, delivery: OperatorDelivery): void {
  sql.exec(
    "DELETE FROM operator_events WHERE event_id = ? AND destination = ?",
    delivery.eventId,
    delivery.destination,
  );
}

function deliveryValues(delivery: OperatorDelivery): SqlStorageValue[] {
  return [
    delivery.eventId,
    delivery.destination,
    delivery.seq,
    delivery.body,
    delivery.state,
    delivery.attempts,
    delivery.createdAt,
    delivery.dueAt,
    delivery.lastError ?? null,
  ];
}

/** The earliest `due_at` of any entry: when the object must wake next (undefined when none is left). */
export function earliestDue(sql: SqlStorage): number | undefined {
  return (
    sql.exec<{ due: number | null }>("SELECT MIN(due_at) AS due FROM operator_events").one().due ?? undefined
  );
}
