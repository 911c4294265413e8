/**
 * The D1 index's functions (src/index-db/) against the real MESSAGE_INDEX of the test run, migrations applied:
 * writes and deletes, every search filter, keyset pages, replay batches, and the query plans that keep them fast.
 * Every test writes its own messages under its own application id, so tests never see each other's rows.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { INDEX_COLUMNS, indexValues } from "../../src/index-db/columns.ts";
import { IndexError } from "../../src/index-db/index-error.ts";
import { searchMessages, selectForReplay } from "../../src/index-db/search.ts";
import { deleteMessage, writeMessage } from "../../src/index-db/write.ts";
import type { MessageIndexRows } from "../../src/message/index-rows.ts";
import { inboundEvents, outboundEvents, rowsOf } from "../helpers/index-messages.ts";

const db = env.MESSAGE_INDEX;
let scopes = 0;

/** A fresh application id, so that a test's messages are its own. */
function scope(): string {
  scopes += 1;
  return `app-index-db-${scopes}-${crypto.randomUUID()}`;
}

function minute(n: number): string {
  return new Date(Date.UTC(2025, 0, 1, 12, n)).toISOString();
}

async function idsOf(filter: Parameters<typeof searchMessages>[1], limit = 50): Promise<string[]> {
  return (await searchMessages(db, filter, { limit })).messages.map((m) => m.id);
}

async function recipientRows(id: string) {
  const { results } = await db
    .prepare(
      `SELECT recipient, recipient_status AS status, error_code FROM message_index
        WHERE id = ?1 AND recipient IS NOT NULL
      UNION ALL
      SELECT o.value ->> 0, o.value ->> 1, o.value ->> 2 FROM message_index m, json_each(m.outcomes) o
        WHERE m.id = ?1
      ORDER BY recipient`,
    )
    .bind(id)
    .all();
  return results;
}

describe("writeMessage and deleteMessage", () => {
  it("stores the summary and one row per recipient, listed back as the summary", async () => {
    const app = scope();
    const rows = rowsOf(
      outboundEvents(
        { id: `${app}-m`, time: minute(1), applicationId: app, tag: "promo", segmentCount: 3 },
        {
          "+15550000001": { status: "delivered", carrier: "T-Mobile" },
          "+15550000002": { status: "failed", errorCode: 4720 },
        },
      ),
      { quarantined: 2, updatedAt: Date.UTC(2025, 0, 1, 13) },
    );
    await writeMessage(db, rows);
    const { messages } = await searchMessages(db, { applicationId: app }, { limit: 10 });
    expect(messages).toEqual([
      {
        id: `${app}-m`,
        direction: "outbound",
        from: "+15552221111",
        to: ["+15550000001", "+15550000002"],
        applicationId: app,
        tag: "promo",
        status: "mixed",
        errorCodes: [4720],
        segmentCount: 3,
        time: minute(1),
        updatedAt: "2025-01-01T13:00:00.000Z",
        pending: 0,
        dead: 0,
        quarantined: 2,
        unrouted: 0,
      },
    ]);
    expect(await recipientRows(`${app}-m`)).toEqual([
      { recipient: "+15550000001", status: "delivered", error_code: null },
      { recipient: "+15550000002", status: "failed", error_code: 4720 },
    ]);
  });

  it("replaces the recipient rows: a recipient no longer named is gone, a changed one is updated", async () => {
    const app = scope();
    const id = `${app}-m`;
    const before = rowsOf(
      outboundEvents(
        { id, time: minute(1), applicationId: app },
        { a: { status: "sent" }, b: { status: "sent" } },
      ),
      { updatedAt: 1 },
    );
    await writeMessage(db, before);
    const after: MessageIndexRows = {
      summary: { ...before.summary, updatedAt: 2, to: ["a"] },
      recipients: [{ recipient: "a", status: "delivered", errorCode: null, carrier: null, deliveredAt: 5 }],
    };
    await writeMessage(db, after);
    expect(await recipientRows(id)).toEqual([{ recipient: "a", status: "delivered", error_code: null }]);
  });

  it("ignores a write older than the stored one, in both tables, and accepts one of the same time", async () => {
    const app = scope();
    const id = `${app}-m`;
    const newer = rowsOf(
      outboundEvents({ id, time: minute(1), applicationId: app }, { a: { status: "delivered" } }),
      {
        updatedAt: 200,
      },
    );
    const older = rowsOf(
      outboundEvents(
        { id, time: minute(1), applicationId: app },
        { a: { status: "sent" }, z: { status: "sent" } },
      ),
      { updatedAt: 100 },
    );
    await writeMessage(db, newer);
    await writeMessage(db, older);
    expect((await searchMessages(db, { applicationId: app }, { limit: 5 })).messages[0]?.status).toBe(
      "delivered",
    );
    expect(await recipientRows(id)).toEqual([{ recipient: "a", status: "delivered", error_code: null }]);
    await writeMessage(db, { ...older, summary: { ...older.summary, updatedAt: 200 } });
    expect(await recipientRows(id)).toEqual([
      { recipient: "a", status: "sent", error_code: null },
      { recipient: "z", status: "sent", error_code: null },
    ]);
  });

  it("writes one D1 row per write: a first write, a repeat, a delivery receipt; a failure adds its index entry", async () => {
    const app = scope();
    const id = `${app}-m`;
    const fields = { id, time: minute(1), applicationId: app, tag: "promo" };
    const sending = rowsOf(outboundEvents(fields, { a: { status: "sending" } }), { updatedAt: 1 });
    const first = await writeMessage(db, sending);
    // The same rows again, newer: the summary row and its status index entry, nothing of the recipient.
    const repeat = await writeMessage(db, { ...sending, summary: { ...sending.summary, updatedAt: 2 } });
    const delivered = rowsOf(outboundEvents(fields, { a: { status: "delivered", carrier: "X" } }), {
      updatedAt: 3,
    });
    const receipt = await writeMessage(db, delivered);
    // Before (migrations 0001 to 0003): 10, 2 and 4 rows, the summary and recipient rows and their indexes.
    expect({ first, repeat, receipt }).toEqual({ first: 1, repeat: 1, receipt: 1 });
    // A failed message has an entry in the partial index of failed messages (errorCode searches).
    const failed = rowsOf(
      outboundEvents({ ...fields, id: `${id}-f` }, { a: { status: "failed", errorCode: 4720 } }),
    );
    expect(await writeMessage(db, failed)).toBe(2);
  });

  it("still applies a changed header column (time, sender, tag, application), moving the row to its new time", async () => {
    const app = scope();
    const id = `${app}-m`;
    const before = rowsOf(
      outboundEvents({ id, time: minute(1), applicationId: app, tag: "old" }, { a: { status: "sent" } }),
      { updatedAt: 1 },
    );
    await writeMessage(db, before);
    const other = `${app}-other`;
    const after = rowsOf(
      outboundEvents(
        { id, time: minute(2), applicationId: other, tag: "new", from: "+15559990000" },
        { a: { status: "sent" } },
      ),
      { updatedAt: 2 },
    );
    // The message's object passes the times its row may be stored under (message/index-placement.ts).
    await writeMessage(db, after, [before.summary.time]);
    const { results } = await db
      .prepare("SELECT time, sender, tag, application_id FROM message_index WHERE id = ?1")
      .bind(id)
      .all();
    expect(results).toEqual([
      { time: after.summary.time, sender: "+15559990000", tag: "new", application_id: other },
    ]);
    // An older write of the row changes none of it back.
    await writeMessage(db, { ...after, summary: { ...after.summary, tag: "stale", updatedAt: 1 } });
    expect(await idsOf({ applicationId: other, tag: "new" })).toEqual([id]);
    expect(await idsOf({ applicationId: app })).toEqual([]);
  });

  it("writes a group of 150 recipients in one batch, beyond D1's 100 bound parameters", async () => {
    const app = scope();
    const outcomes = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [
        `+1555${String(i).padStart(7, "0")}`,
        { status: "sent" as const },
      ]),
    );
    await writeMessage(
      db,
      rowsOf(outboundEvents({ id: `${app}-m`, time: minute(1), applicationId: app }, outcomes)),
    );
    expect(await recipientRows(`${app}-m`)).toHaveLength(150);
    expect(await idsOf({ to: "+15550000149" })).toContain(`${app}-m`);
  });

  it("deletes a message's row and its recipients with it", async () => {
    const app = scope();
    const id = `${app}-m`;
    await writeMessage(
      db,
      rowsOf(outboundEvents({ id, time: minute(1), applicationId: app }, { a: { status: "sent" } })),
    );
    await deleteMessage(db, id, [Date.parse(minute(1))]);
    expect(await idsOf({ applicationId: app })).toEqual([]);
    expect(await recipientRows(id)).toEqual([]);
    await deleteMessage(db, id, [Date.parse(minute(1))]);
  });

  it("stores exactly the column values that the bench's bulk loader renders (columns.ts)", async () => {
    const app = scope();
    const rows = rowsOf(
      outboundEvents(
        { id: `${app}-m`, time: minute(1), applicationId: app, tag: "t" },
        { b: { status: "failed", errorCode: 4720, carrier: "X" }, a: { status: "read" } },
      ),
      { quarantined: 1 },
    );
    await writeMessage(db, rows);
    const stored = await db
      .prepare(`SELECT ${INDEX_COLUMNS.join(", ")} FROM message_index WHERE id = ?1`)
      .bind(`${app}-m`)
      .raw();
    expect(stored).toEqual([indexValues(rows)]);
  });

  it("throws an IndexError naming the operation when D1 fails", async () => {
    const broken = {
      prepare: () => ({ bind: () => ({}) }),
      batch: () => Promise.reject(new Error("D1_ERROR: no such table")),
    } as unknown as D1Database;
    const rows = rowsOf(outboundEvents({ id: "x", time: minute(1) }, { a: { status: "sent" } }));
    await expect(writeMessage(broken, rows)).rejects.toThrow(IndexError);
    await expect(deleteMessage(broken, "x", [1])).rejects.toMatchObject({
      name: "IndexError",
      operation: "deleteMessage",
    });
  });
});

describe("searchMessages filters", () => {
  /** Six messages of one scope: outbound and inbound, two senders, two tags, failures with two codes. */
  async function seed() {
    const app = scope();
    const other = scope();
    const id = (name: string) => `${app}-${name}`;
    const write = (rows: MessageIndexRows) => writeMessage(db, rows);
    await write(
      rowsOf(
        outboundEvents(
          { id: id("delivered"), time: minute(1), applicationId: app, tag: "a" },
          {
            [`${app}-r1`]: { status: "delivered" },
          },
        ),
      ),
    );
    await write(
      rowsOf(
        outboundEvents(
          { id: id("failed"), time: minute(2), applicationId: app, tag: "b", from: `${app}-s2` },
          {
            [`${app}-r1`]: { status: "failed", errorCode: 4720 },
            [`${app}-r2`]: { status: "failed", errorCode: 4720 },
          },
        ),
      ),
    );
    await write(
      rowsOf(
        outboundEvents(
          { id: id("no-receipt"), time: minute(3), applicationId: app },
          {
            [`${app}-r3`]: { status: "failed", errorCode: 9902 },
          },
        ),
      ),
    );
    await write(
      rowsOf(
        outboundEvents(
          { id: id("mixed"), time: minute(4), applicationId: app, tag: "a" },
          {
            [`${app}-r2`]: { status: "delivered" },
            [`${app}-r4`]: { status: "failed", errorCode: 4432 },
          },
        ),
      ),
    );
    await write(
      rowsOf(inboundEvents({ id: id("inbound"), time: minute(5), applicationId: app }, [`${app}-r2`, "+1"])),
    );
    // Another application's message with the same tag and recipient: filters must not leak across.
    await write(
      rowsOf(
        outboundEvents(
          { id: `${other}-x`, time: minute(6), applicationId: other, tag: "a" },
          {
            [`${app}-r1`]: { status: "failed", errorCode: 4720 },
          },
        ),
      ),
    );
    return { app, id };
  }

  it("lists a scope newest first, and filters by status and direction", async () => {
    const { app, id } = await seed();
    expect(await idsOf({ applicationId: app })).toEqual(
      ["inbound", "mixed", "no-receipt", "failed", "delivered"].map(id),
    );
    expect(await idsOf({ applicationId: app, status: "failed" })).toEqual([id("no-receipt"), id("failed")]);
    expect(await idsOf({ applicationId: app, status: "mixed" })).toEqual([id("mixed")]);
    expect(await idsOf({ applicationId: app, direction: "inbound" })).toEqual([id("inbound")]);
    expect(await idsOf({ applicationId: app, direction: "outbound" })).toHaveLength(4);
  });

  it("filters by sender, tag and any recipient (one row per message, even with two matching recipients)", async () => {
    const { app, id } = await seed();
    expect(await idsOf({ from: `${app}-s2` })).toEqual([id("failed")]);
    expect(await idsOf({ applicationId: app, tag: "a" })).toEqual([id("mixed"), id("delivered")]);
    expect(await idsOf({ to: `${app}-r2` })).toEqual([id("inbound"), id("mixed"), id("failed")]);
    expect(await idsOf({ to: `${app}-r1`, applicationId: app })).toEqual([id("failed"), id("delivered")]);
    expect(await idsOf({ to: `${app}-r1` })).toHaveLength(3);
  });

  it("filters by a failed recipient's error code, once per message", async () => {
    const { app, id } = await seed();
    expect(await idsOf({ applicationId: app, errorCode: 4720 })).toEqual([id("failed")]);
    expect(await idsOf({ applicationId: app, errorCode: 9902 })).toEqual([id("no-receipt")]);
    expect(await idsOf({ applicationId: app, errorCode: 4432 })).toEqual([id("mixed")]);
    expect(await idsOf({ applicationId: app, errorCode: 5600 })).toEqual([]);
  });

  it("filters by the message's time: since inclusive, until exclusive", async () => {
    const { app, id } = await seed();
    const at = (n: number) => Date.parse(minute(n));
    expect(await idsOf({ applicationId: app, since: at(2), until: at(4) })).toEqual([
      id("no-receipt"),
      id("failed"),
    ]);
    expect(await idsOf({ applicationId: app, since: at(5) })).toEqual([id("inbound")]);
    expect(await idsOf({ applicationId: app, until: at(1) })).toEqual([]);
  });

  it("ANDs every filter given", async () => {
    const { app, id } = await seed();
    expect(await idsOf({ applicationId: app, tag: "a", status: "delivered", direction: "outbound" })).toEqual(
      [id("delivered")],
    );
    expect(await idsOf({ applicationId: app, tag: "b", to: `${app}-r4` })).toEqual([]);
  });
});

describe("keyset pages and replay batches", () => {
  async function seedMany(count: number, sameTime: boolean) {
    const app = scope();
    for (let i = 0; i < count; i++) {
      const time = sameTime ? minute(0) : minute(i % 7);
      const id = `${app}-${String(i).padStart(3, "0")}`;
      await writeMessage(
        db,
        rowsOf(outboundEvents({ id, time, applicationId: app }, { a: { status: "sent" } })),
      );
    }
    return app;
  }

  it("pages through every message once, newest first, including messages of the same time", async () => {
    for (const sameTime of [false, true]) {
      const app = await seedMany(23, sameTime);
      const seen: string[] = [];
      let after: { time: number; id: string } | undefined;
      for (let page = 0; page < 10; page++) {
        const result = await searchMessages(
          db,
          { applicationId: app },
          { limit: 5, ...(after ? { after } : {}) },
        );
        seen.push(...result.messages.map((m) => m.id));
        expect(result.messages.length).toBeLessThanOrEqual(5);
        if (!result.next) break;
        after = result.next;
      }
      const all = await searchMessages(db, { applicationId: app }, { limit: 100 });
      expect(seen).toEqual(all.messages.map((m) => m.id));
      expect(new Set(seen).size).toBe(23);
    }
  });

  it("has no next position when the last page is exactly full", async () => {
    const app = await seedMany(4, false);
    expect((await searchMessages(db, { applicationId: app }, { limit: 4 })).next).toBeUndefined();
    expect((await searchMessages(db, { applicationId: app }, { limit: 3 })).next).toBeDefined();
  });

  it("walks replay batches oldest first, every id once", async () => {
    const app = await seedMany(11, false);
    const batches: string[][] = [];
    let after: { time: number; id: string } | undefined;
    do {
      const batch = await selectForReplay(db, { applicationId: app }, after, 4);
      batches.push(batch.ids);
      after = batch.next;
    } while (after);
    expect(batches.map((ids) => ids.length)).toEqual([4, 4, 3]);
    const newestFirst = (await searchMessages(db, { applicationId: app }, { limit: 100 })).messages.map(
      (m) => m.id,
    );
    expect(batches.flat()).toEqual([...newestFirst].reverse());
  });
});

describe("query plans", () => {
  async function plan(sql: string): Promise<string> {
    const { results } = await db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all<{ detail: string }>();
    return results.map((row) => row.detail).join("\n");
  }

  it("lists newest first in the table's own key order, without sorting", async () => {
    const detail = await plan(
      "SELECT m.id FROM message_index m WHERE m.status = 'failed' AND (m.time, m.id) < (5, 'x') ORDER BY m.time DESC, m.id DESC LIMIT 51",
    );
    expect(detail).toMatch(/USING PRIMARY KEY/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  it("statistics read the rows of their time range by the key", async () => {
    const detail = await plan(
      "SELECT COUNT(*) FROM message_index m WHERE m.direction = 'outbound' AND m.time >= 0 AND m.time < 1 AND m.recipient IS NOT NULL",
    );
    expect(detail).toMatch(/SEARCH m USING PRIMARY KEY \(time>\? AND time<\?\)/);
  });

  it("searches by error code and for given-up messages through their partial indexes", async () => {
    const failed = await plan(
      "SELECT m.id FROM message_index m WHERE m.error_codes <> '[]' AND EXISTS (SELECT 1 FROM json_each(m.error_codes) e WHERE e.value = 4720) ORDER BY m.time DESC, m.id DESC LIMIT 51",
    );
    expect(failed).toMatch(/message_index_failed/);
    const givenUp = await plan(
      "SELECT m.id FROM message_index m WHERE m.reconciliation = 'given-up' ORDER BY m.time DESC, m.id DESC LIMIT 51",
    );
    expect(givenUp).toMatch(/message_index_given_up/);
  });
});
