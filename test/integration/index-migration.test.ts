/**
 * Migration 0010 folds the index of 0001 to 0003 (a summary row and one row per recipient) into one row per
 * message: rows written by the earlier version are still listed, filtered and counted the same afterwards.
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { searchMessages } from "../../src/index-db/search.ts";
import { deliveryStats } from "../../src/index-db/stats.ts";

const db = env.INDEX_UNMIGRATED;
const T = Date.UTC(2025, 5, 1, 12);

describe("migration 0010", () => {
  it("keeps the rows of the earlier layout searchable and counted", async () => {
    const earlier = env.TEST_MIGRATIONS.filter((migration) => migration.name < "0010");
    expect(earlier.length).toBeGreaterThan(0);
    await applyD1Migrations(db, earlier);
    const summary = `INSERT INTO messages (id, direction, sender, recipients, application_id, tag, status, error_codes,
      segment_count, time, updated_at, pending, dead, quarantined, events, reconciliation)
      VALUES (?1, ?2, '+15550001111', ?3, 'app-old', ?4, ?5, ?6, 1, ?7, ?7, 0, 0, 0, 2, ?8)`;
    const recipient = `INSERT INTO message_recipients (message_id, recipient, direction, application_id, message_time,
      status, error_code, carrier, delivered_at) VALUES (?1, ?2, ?3, 'app-old', ?4, ?5, ?6, ?7, ?8)`;
    await db.batch([
      db
        .prepare(summary)
        .bind("old-1", "outbound", '["+15550002222","+15550003333"]', "t", "mixed", "[4720]", T, null),
      db.prepare(recipient).bind("old-1", "+15550002222", "outbound", T, "delivered", null, "X", T + 2_000),
      db.prepare(recipient).bind("old-1", "+15550003333", "outbound", T, "failed", 4720, "Y", null),
      db
        .prepare(summary)
        .bind("old-2", "inbound", '["+15550004444"]', null, "received", "[]", T + 60_000, "given-up"),
      db
        .prepare(recipient)
        .bind("old-2", "+15550004444", "inbound", T + 60_000, "received", null, null, null),
    ]);
    await applyD1Migrations(db, env.TEST_MIGRATIONS);

    const ids = async (filter: Parameters<typeof searchMessages>[1]) =>
      (await searchMessages(db, filter, { limit: 10 })).messages.map((m) => m.id);
    expect(await ids({})).toEqual(["old-2", "old-1"]);
    expect(await ids({ to: "+15550003333" })).toEqual(["old-1"]);
    expect(await ids({ errorCode: 4720 })).toEqual(["old-1"]);
    expect(await ids({ reconciliation: "given-up" })).toEqual(["old-2"]);
    expect(await ids({ tag: "t", status: "mixed" })).toEqual(["old-1"]);
    const [first] = (await searchMessages(db, { direction: "outbound" }, { limit: 1 })).messages;
    expect(first).toMatchObject({
      to: ["+15550002222", "+15550003333"],
      errorCodes: [4720],
      status: "mixed",
    });

    const stats = await deliveryStats(db, { since: T - 1, until: T + 3_600_000, by: "carrier" });
    expect(stats.outbound).toMatchObject({
      recipients: 2,
      counts: { delivered: 1, failed: 1 },
      timeToDelivery: { count: 1, p50Ms: 2_000, p95Ms: 2_000 },
    });
    expect(stats.inbound.messages).toBe(1);
    expect(stats.groups?.map((g) => g.key)).toEqual(["X", "Y"]);
    const tables = await db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'message%'")
      .all();
    expect(tables.results.map((row) => row.name)).toEqual(["message_index"]);
  });
});
