/**
 * The MessageTracker's storage layout, versioned, and the shapes it stores.
 *
 * Every message is its own SQLite database, and what it writes is billed per row: a table costs every message
 * its creation (two rows written) and a 4 KiB page. So a message is one key of the object's key-value storage
 * (the runtime's own table): its state, its event history (with each event's forwarding state) and the time of
 * its last activity, as the UTF-8 bytes of its JSON (the unit message/budget.ts counts, so the budget bounds the
 * stored size exactly), written whole by every change in one row write. Versions 1 to 4 kept it in SQL tables (`state`, and up to 2 `events`); {@link migrate}
 * moves such an object into the key. Events held in quarantine live in a table of their own
 * (quarantine-sql.ts), created only by a message's first quarantined event.
 */
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import { log } from "../log.ts";
import { FIRST_SHARD, type IndexPlacement } from "../message/index-placement.ts";
import type { EventRecord, ForwardState, StoredMessage } from "../message/records.ts";
import { type LegacyRecord, upgradeRecord } from "../message/records-upgrade.ts";
import type { MessageState } from "../message/status.ts";

/** The layout version that {@link migrate} brings every object to. */
export const SCHEMA_VERSION = 5;

/** The key of the message in the object's key-value storage. */
export const MESSAGE_KEY = "message";

/** What the message key holds. */
export interface MessageRecord {
  version: number;
  state: MessageState | null;
  events: EventRecord[];
  /** The time of the message's last activity (null before its first event). */
  updatedAt: number | null;
  /**
   * Where its index rows live: null before its first index write; absent in a record written before the index
   * had shards (its rows, if any, are then in the first shard).
   */
  index?: IndexPlacement | null;
}

/** A message as read: what it holds, and the time of its last activity. */
export interface LoadedMessage {
  message: StoredMessage;
  updatedAt: number | undefined;
}

/** The names of this object's SQL tables. */
export function existingTables(sql: SqlStorage): Set<string> {
  const rows = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
  return new Set(rows.map((row) => row.name));
}

/** The layout version of the SQL tables of versions 1 to 4 (`tables`): 0 when there are none. */
function tableVersion(sql: SqlStorage, tables: ReadonlySet<string>): number {
  if (tables.has("schema_version")) {
    return sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0]?.version ?? 0;
  }
  if (!tables.has("state")) return 0;
  return sql.exec<{ version: number }>("SELECT version FROM state WHERE id = 1").toArray()[0]?.version ?? 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The message as stored, or undefined when the object holds none (in the current layout). */
export function readRecord(storage: DurableObjectStorage): MessageRecord | undefined {
  const value = storage.kv.get<ArrayBuffer | Uint8Array>(MESSAGE_KEY);
  if (value === undefined) return undefined;
  return JSON.parse(decoder.decode(value)) as MessageRecord;
}

/** Stores `record` as the message (one row written). */
export function writeRecord(storage: DurableObjectStorage, record: MessageRecord): void {
  storage.kv.put(MESSAGE_KEY, encoder.encode(JSON.stringify(record)));
}

/**
 * Brings an object stored by versions 1 to 4 into the current layout; returns the message, or undefined for an
 * object that holds none. Run it inside a transaction so that a migration is all or nothing.
 */
export function migrate(storage: DurableObjectStorage): MessageRecord | undefined {
  const current = readRecord(storage);
  const { sql } = storage;
  if (current) {
    if (current.version > SCHEMA_VERSION) {
      throw new Error(
        `MessageTracker layout version ${current.version} is newer than this code (${SCHEMA_VERSION})`,
      );
    }
    // Tables beside the key: a version before this one ran after the migration (a rollback) and stored there.
    // Kept, neither merged nor dropped, for an operator to recover (docs/deploy.md, "Rolling back").
    if (existingTables(sql).has("state")) log("error", "message_layout_conflict", {});
    return current;
  }
  const tables = existingTables(sql);
  const version = tableVersion(sql, tables);
  if (version === 0) return undefined;
  const record: MessageRecord =
    version === 4 || version === 3 ? readStateTable(sql, version) : readTables(sql);
  writeRecord(storage, record);
  sql.exec("DROP TABLE IF EXISTS events; DROP TABLE IF EXISTS state; DROP TABLE IF EXISTS schema_version;");
  return record;
}

/** Reads a message as read from its record (empty for an object that holds none). */
export function fromRecord(record: MessageRecord | undefined): LoadedMessage {
  return {
    message: {
      state: record?.state ?? undefined,
      events: record?.events ?? [],
      ...placementOf(record),
    },
    updatedAt: record?.updatedAt ?? undefined,
  };
}

/** The stored placement, or for a message stored before shards the first shard (see MessageRecord.index). */
function placementOf(record: MessageRecord | undefined): { index?: IndexPlacement } {
  if (!record?.state) return {};
  if (record.index === undefined) return { index: { shard: FIRST_SHARD, times: [] } };
  return record.index === null ? {} : { index: record.index };
}

/** Reads the message (empty for an object that holds none). */
export function loadMessage(storage: DurableObjectStorage): StoredMessage {
  return fromRecord(readRecord(storage)).message;
}

/** Writes the message back whole, with the time of its last activity; one row written. */
export function saveMessage(storage: DurableObjectStorage, message: StoredMessage, updatedAt?: number): void {
  writeRecord(storage, {
    version: SCHEMA_VERSION,
    state: message.state ?? null,
    events: message.events,
    updatedAt: updatedAt ?? null,
    index: message.index ?? null,
  });
}

/** The `state` table of versions 3 (one destination per record) and 4. */
function readStateTable(sql: SqlStorage, version: number): MessageRecord {
  const row = sql
    .exec<{ json: string | null; events: string; updated_at: number | null }>(
      "SELECT json, events, updated_at FROM state WHERE id = 1",
    )
    .one();
  const events = JSON.parse(row.events) as EventRecord[] | LegacyRecord[];
  return {
    version: SCHEMA_VERSION,
    state: row.json ? (JSON.parse(row.json) as MessageState) : null,
    events: version === 3 ? (events as LegacyRecord[]).map(upgradeRecord) : (events as EventRecord[]),
    updatedAt: row.updated_at,
  };
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

/** Versions 1 and 2: a `state` row and one `events` row per event. */
function readTables(sql: SqlStorage): MessageRecord {
  const state = sql
    .exec<{ json: string | null; updated_at: number | null }>(
      "SELECT json, updated_at FROM state WHERE id = 1",
    )
    .toArray()[0];
  const rows = sql.exec<EventRowV2>("SELECT * FROM events ORDER BY seq").toArray();
  const legacy: LegacyRecord[] = rows.map((row) => ({
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
  }));
  return {
    version: SCHEMA_VERSION,
    state: state?.json ? (JSON.parse(state.json) as MessageState) : null,
    events: legacy.map(upgradeRecord),
    updatedAt: state?.updated_at ?? null,
  };
}
