/**
 * Rollouts and upgrades: a MessageTracker's storage exactly as each earlier layout version wrote it
 * (test/fixtures/tracker-storage/v1.json to v5.json, literal rows, not rebuilt by today's code) loads in this
 * release with its state, history, sequences and forwarding intact, still deduplicates a retry, and takes the
 * next event with the next sequence. v5 is what release 0.1.0 (commit eb95156) writes.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MESSAGE_KEY, readRecord, SCHEMA_VERSION } from "../../src/objects/message-sql.ts";
import { statusEvent } from "../helpers/events.ts";
import { postCallback } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { storageFixtures } from "../helpers/storage-fixtures.ts";

describe("a MessageTracker stored by an earlier layout", () => {
  it.each(storageFixtures())("loads layout version $version as this release", async (fixture) => {
    const id = fixture.messageId;
    // A stub per call: the reload below breaks the stubs made before it.
    const tracker = () => env.MESSAGE_TRACKER.getByName(id);
    await runInDurableObject(tracker(), (_instance, state) => {
      for (const statement of fixture.schema) state.storage.sql.exec(statement);
      for (const [table, rows] of Object.entries(fixture.rows)) {
        for (const row of rows) {
          const columns = Object.keys(row);
          state.storage.sql.exec(
            `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
            ...Object.values(row),
          );
        }
      }
      const record = fixture.kv[MESSAGE_KEY];
      if (record) state.storage.kv.put(MESSAGE_KEY, new TextEncoder().encode(record));
    });
    // A new instance reads what was written, as after a deploy.
    await runInDurableObject(tracker(), (_instance, state) => state.abort("reload")).catch(() => undefined);

    const view = await tracker().snapshot();
    expect(view).toMatchObject({ id, direction: "outbound", status: "delivered" });
    expect(view?.recipients).toMatchObject([{ recipient: "+15554443333", status: "delivered" }]);
    expect(
      view?.events.map((event) => [
        event.sequence,
        event.type,
        event.duplicates,
        event.forwarding.default?.state,
      ]),
    ).toEqual([
      [1, "message-sending", 0, "delivered"],
      [2, "message-delivered", 1, "delivered"],
    ]);
    await runInDurableObject(tracker(), (_instance, state) => {
      expect(readRecord(state.storage)?.version).toBe(SCHEMA_VERSION);
    });

    // Bandwidth's retry of a stored event is still a duplicate; a new event takes sequence 3 and is forwarded.
    const retry = statusEvent("message-delivered", { id, time: "2024-09-14T18:20:18.000Z" });
    expect(await (await postCallback([retry])).json()).toEqual({ accepted: 0, duplicates: 1 });
    const next = statusEvent("message-sent", { id, time: "2024-09-14T18:20:17.000Z" });
    expect(await (await postCallback([next])).json()).toEqual({ accepted: 1, duplicates: 0 });
    await settle(id);
    const after = await tracker().snapshot();
    expect(after?.events.map((event) => [event.sequence, event.forwarding.default?.state])).toEqual([
      [1, "delivered"],
      [3, "delivered"],
      [2, "delivered"],
    ]);
    expect(after?.status).toBe("delivered");
  });
});
