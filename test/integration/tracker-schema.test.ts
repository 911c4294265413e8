/**
 * The MessageTracker's storage layout: what a message costs (one key, no table), what reads do to an unknown
 * message, and the migration of objects stored by layout versions 1 and 2 (one row per event in an `events`
 * table), 3 (one destination: its forwarding state on each record) and 4 (a `state` table of one row).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EventRecord } from "../../src/message/records.ts";
import type { LegacyRecord } from "../../src/message/records-upgrade.ts";
import { derivedTrace } from "../../src/message/trace-context.ts";
import { MESSAGE_KEY, readRecord, SCHEMA_VERSION } from "../../src/objects/message-sql.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { postCallback } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";

/** Our own tables and indexes (the runtime's own start with `_cf_` or `__`). */
function ownSchema(sql: SqlStorage): string[] {
  return sql
    .exec<{ type: string; name: string }>(
      "SELECT type, name FROM sqlite_master WHERE name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY type, name",
    )
    .toArray()
    .map((row) => `${row.type} ${row.name}`);
}

const EVENTS_TABLE = `CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, instant TEXT NOT NULL,
  payload TEXT NOT NULL, status_after TEXT NOT NULL, duplicates INTEGER NOT NULL DEFAULT 0,
  accepted_at INTEGER NOT NULL, retry_since INTEGER NOT NULL, forward_state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER, last_error TEXT, forwarded_at INTEGER,
  dead_index TEXT)`;

/** The layouts of schema versions 1 and 2, as the code of those versions created them. */
const LEGACY: Record<1 | 2, string> = {
  1: `CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version (version) VALUES (1);
    CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, updated_at INTEGER NOT NULL);
    ${EVENTS_TABLE.replace("event_id TEXT NOT NULL", "event_id TEXT NOT NULL UNIQUE")};
    CREATE INDEX events_pending ON events (forward_state, seq);`,
  2: `CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, json TEXT,
    updated_at INTEGER);
    ${EVENTS_TABLE};`,
};

/** A record as versions 1 to 3 kept it: one destination, its forwarding state on the record. */
function asLegacy({ deliveries, ...record }: EventRecord): LegacyRecord {
  const delivery = deliveries.default;
  if (!delivery) throw new Error("a record of the one-destination versions goes to default");
  const { state: forwardState, ...forwarding } = delivery;
  return { ...record, ...forwarding, forwardState };
}

/** Rewrites a message stored by the current code into version 4's layout: one row of a `state` table. */
function rewriteAsV4(storage: DurableObjectStorage): void {
  const record = readRecord(storage);
  if (!record) throw new Error("expected a stored message");
  storage.sql.exec(`CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL,
    json TEXT, events TEXT NOT NULL DEFAULT '[]', updated_at INTEGER)`);
  storage.sql.exec(
    "INSERT INTO state (id, version, json, events, updated_at) VALUES (1, 4, ?, ?, ?)",
    record.state === null ? null : JSON.stringify(record.state),
    JSON.stringify(record.events),
    record.updatedAt,
  );
  storage.kv.delete(MESSAGE_KEY);
}

/** Rewrites a message stored by the current code into the layout of version `version`. */
function rewriteAsLegacy(storage: DurableObjectStorage, version: 1 | 2 | 3 | 4): void {
  rewriteAsV4(storage);
  if (version === 4) return;
  const sql = storage.sql;
  const row = sql.exec<{ json: string; events: string; updated_at: number }>("SELECT * FROM state").one();
  const legacy = (JSON.parse(row.events) as EventRecord[]).map(asLegacy);
  if (version === 3) {
    sql.exec("UPDATE state SET version = 3, events = ?", JSON.stringify(legacy));
    return;
  }
  sql.exec("DROP TABLE state");
  sql.exec(LEGACY[version]);
  if (version === 1) {
    sql.exec("INSERT INTO state (id, json, updated_at) VALUES (1, ?, ?)", row.json, row.updated_at);
  } else {
    sql.exec(
      "INSERT INTO state (id, version, json, updated_at) VALUES (1, 2, ?, ?)",
      row.json,
      row.updated_at,
    );
  }
  for (const record of legacy) {
    sql.exec(
      `INSERT INTO events (seq, event_id, instant, payload, status_after, duplicates, accepted_at, retry_since,
       forward_state, attempts, next_attempt_at, last_error, forwarded_at, dead_index)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      record.seq,
      record.eventId,
      record.instant,
      JSON.stringify(record.event),
      record.statusAfter,
      record.duplicates,
      record.acceptedAt,
      record.retrySince,
      record.forwardState,
      record.attempts,
      record.nextAttemptAt,
      record.lastError,
      record.forwardedAt,
      record.deadIndex,
    );
  }
}

describe("the MessageTracker schema", () => {
  it("is one key and no table of its own, written with the first event", async () => {
    const event = statusEvent("message-delivered");
    const id = event.message.id;
    expect((await postCallback([event])).status).toBe(200);
    await settle(id);
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) => {
      expect(ownSchema(state.storage.sql)).toEqual([]);
      expect(readRecord(state.storage)?.version).toBe(SCHEMA_VERSION);
      expect([...state.storage.kv.list()].map(([key]) => key)).toEqual([MESSAGE_KEY]);
    });
  });

  it("creates the schema again after a first ingest whose transaction rolled back", async () => {
    const event = statusEvent("message-sent");
    const id = event.message.id;
    const stub = env.MESSAGE_TRACKER.getByName(id);
    // The first outermost transaction runs (creating the schema), then fails and rolls back, once.
    await runInDurableObject(stub, (_instance, state) => {
      const storage = state.storage;
      const original = storage.transactionSync.bind(storage);
      let depth = 0;
      storage.transactionSync = <T>(closure: () => T): T => {
        depth++;
        try {
          if (depth > 1) return original(closure);
          storage.transactionSync = original;
          return original(() => {
            closure();
            throw new Error("injected failure after the schema was created");
          });
        } finally {
          depth--;
        }
      };
    });
    expect((await postCallback([event])).status).toBe(503);
    expect((await postCallback([event])).status).toBe(200);
    await settle(id);
    expect((await stub.snapshot())?.events).toHaveLength(1);
  });

  it("is not created by reading or redelivering a message it never stored", async () => {
    const stub = env.MESSAGE_TRACKER.getByName(newMessageId("unknown"));
    expect(await stub.snapshot()).toBeNull();
    expect(await stub.redeliver("all")).toEqual({ found: false, redelivered: 0 });
    await runInDurableObject(stub, (_instance, state) => {
      expect(ownSchema(state.storage.sql)).toEqual([]);
      expect(readRecord(state.storage)).toBeUndefined();
    });
  });

  it("keeps the key and leaves a state table written beside it (by a version rolled back to) for recovery", async () => {
    const id = newMessageId("conflict");
    await postCallback([statusEvent("message-sending", { id })]);
    await settle(id);
    const before = await env.MESSAGE_TRACKER.getByName(id).snapshot();
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) => {
      const record = readRecord(state.storage);
      rewriteAsV4(state.storage);
      if (record) state.storage.kv.put(MESSAGE_KEY, new TextEncoder().encode(JSON.stringify(record)));
    });
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
      state.abort("reload"),
    ).catch(() => undefined);
    expect(await env.MESSAGE_TRACKER.getByName(id).snapshot()).toEqual(before);
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) => {
      expect(ownSchema(state.storage.sql)).toEqual(["table state"]);
    });
    await settle(id);
  });

  it.each([1, 2, 3, 4] as const)(
    "migrates a version-%i object, keeping its state, events, sequences and forwarding state",
    async (version) => {
      const id = newMessageId(`v${version}`);
      const second = statusEvent("message-delivered", { id, time: "2024-09-14T18:20:18.000Z" });
      await postCallback([statusEvent("message-sending", { id, time: "2024-09-14T18:20:16.000Z" })]);
      await postCallback([second]);
      await postCallback([second]);
      await settle(id);
      const before = await env.MESSAGE_TRACKER.getByName(id).snapshot();
      await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
        rewriteAsLegacy(state.storage, version),
      );
      // abort() resets the object: the next call gets a new instance, which reads the legacy layout.
      await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
        state.abort("reload"),
      ).catch(() => undefined);
      // Versions 1 and 2 kept no trace context: their events get the trace derived from their ids.
      const expected =
        version > 2 || !before
          ? before
          : {
              ...before,
              events: before.events.map((event) => ({ ...event, traceId: derivedTrace(event.id).traceId })),
            };
      expect(await env.MESSAGE_TRACKER.getByName(id).snapshot()).toEqual(expected);
      await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) => {
        expect(ownSchema(state.storage.sql)).toEqual([]);
        expect(readRecord(state.storage)?.version).toBe(SCHEMA_VERSION);
      });
      // A retry of a migrated event is still a duplicate, and is counted on it.
      expect(await (await postCallback([second])).json()).toEqual({ accepted: 0, duplicates: 1 });
      const after = await env.MESSAGE_TRACKER.getByName(id).snapshot();
      expect(after?.events.map((event) => event.duplicates)).toEqual([0, 2]);
      await settle(id);
    },
  );
});
