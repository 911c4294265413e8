/**
 * The MessageTracker's SQLite schema: what a message costs on disk, what reads do to an unknown message, and
 * the migration of objects stored by schema version 1.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../../src/message/tracker-sql.ts";
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

const VERSION_1 = `CREATE TABLE schema_version (version INTEGER NOT NULL);
  INSERT INTO schema_version (version) VALUES (1);
  CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE events (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, instant TEXT NOT NULL,
    payload TEXT NOT NULL, status_after TEXT NOT NULL, duplicates INTEGER NOT NULL DEFAULT 0,
    accepted_at INTEGER NOT NULL, retry_since INTEGER NOT NULL, forward_state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER, last_error TEXT, forwarded_at INTEGER,
    dead_index TEXT);
  CREATE INDEX events_pending ON events (forward_state, seq);`;

describe("the MessageTracker schema", () => {
  it("is two tables and no index, created with the first event", async () => {
    const event = statusEvent("message-delivered");
    const id = event.message.id;
    expect((await postCallback([event])).status).toBe(200);
    await settle(id);
    const stub = env.MESSAGE_TRACKER.getByName(id);
    await runInDurableObject(stub, (_instance, state) => {
      expect(ownSchema(state.storage.sql)).toEqual(["table events", "table state"]);
      expect(state.storage.sql.exec("SELECT version FROM state").one().version).toBe(SCHEMA_VERSION);
    });
  });

  it("is not created by reading or redelivering a message it never stored", async () => {
    const stub = env.MESSAGE_TRACKER.getByName(newMessageId("unknown"));
    expect(await stub.snapshot()).toBeNull();
    expect(await stub.redeliver("all")).toEqual({ found: false, redelivered: 0 });
    await runInDurableObject(stub, (_instance, state) => {
      expect(ownSchema(state.storage.sql)).toEqual([]);
    });
  });

  it("migrates a version-1 object, keeping its state, events, sequences and forwarding state", async () => {
    const id = newMessageId("v1");
    const first = statusEvent("message-sending", { id, time: "2024-09-14T18:20:16.000Z" });
    const second = statusEvent("message-delivered", { id, time: "2024-09-14T18:20:18.000Z" });
    // Store two events with the current code, then rewrite the object into the version-1 layout.
    await postCallback([first]);
    await postCallback([second]);
    await settle(id);
    const stub = env.MESSAGE_TRACKER.getByName(id);
    const before = await stub.snapshot();
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql;
      const stateRow = sql.exec("SELECT json, updated_at FROM state").one();
      const rows = sql.exec("SELECT * FROM events ORDER BY seq").toArray();
      sql.exec("DROP TABLE events");
      sql.exec("DROP TABLE state");
      sql.exec(VERSION_1);
      sql.exec(
        "INSERT INTO state (id, json, updated_at) VALUES (1, ?, ?)",
        stateRow.json,
        stateRow.updated_at,
      );
      for (const row of rows) {
        const columns = Object.keys(row);
        sql.exec(
          `INSERT INTO events (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
          ...Object.values(row),
        );
      }
    });
    // A new instance (abort() resets the object) reads the version-1 object.
    await runInDurableObject(stub, (_instance, state) => state.abort("reload")).catch(() => undefined);
    expect(await env.MESSAGE_TRACKER.getByName(id).snapshot()).toEqual(before);
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) => {
      expect(ownSchema(state.storage.sql)).toEqual(["table events", "table state"]);
      expect(state.storage.sql.exec("SELECT version FROM state").one().version).toBe(SCHEMA_VERSION);
    });
    // A retry of a migrated event is still a duplicate.
    expect(await (await postCallback([second])).json()).toEqual({ accepted: 0, duplicates: 1 });
    await settle(id);
  });
});
