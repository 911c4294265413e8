/**
 * GET /stats through the Worker, over rows written with writeMessage: the default last 24 hours, one
 * application, each `by`, and the 400s for bad parameters and ranges.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { DeliveryStats } from "../../src/index-db/stats.ts";
import { writeMessage } from "../../src/index-db/write.ts";
import { admin } from "../helpers/http.ts";
import { inboundEvents, outboundEvents, rowsOf } from "../helpers/index-messages.ts";

const db = env.MESSAGE_INDEX;
const HOUR = 3_600_000;

async function stats(query: Record<string, string>): Promise<DeliveryStats> {
  const response = await admin(`/stats?${new URLSearchParams(query)}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

let seeded = 0;

/**
 * Two applications' messages on a day of their own in March 2026 (hours 9 and 10), one on the next day: the
 * tests of this file share its storage, so each seed takes another day.
 */
async function seed() {
  seeded += 1;
  const day = 2 * seeded;
  const tag = crypto.randomUUID();
  const apps = { a: `app-a-${tag}`, b: `app-b-${tag}` };
  const at = (hour: number, minute = 0) => new Date(Date.UTC(2026, 2, day, hour, minute)).toISOString();
  const all = [
    outboundEvents(
      { id: `${tag}-1`, time: at(9, 5), applicationId: apps.a },
      {
        r1: { status: "delivered", carrier: "T-Mobile", afterMs: 1_000 },
        r2: { status: "failed", errorCode: 4720, carrier: "T-Mobile" },
      },
    ),
    outboundEvents(
      { id: `${tag}-2`, time: at(10, 5), applicationId: apps.b },
      {
        r3: { status: "failed", errorCode: 9902, carrier: "Verizon" },
      },
    ),
    inboundEvents({ id: `${tag}-3`, time: at(10, 30), applicationId: apps.a }),
    outboundEvents({ id: `${tag}-4`, time: at(33), applicationId: apps.a }, { r4: { status: "delivered" } }),
  ];
  for (const events of all) await writeMessage(db, rowsOf(events));
  return { apps, since: at(0), until: at(24) };
}

describe("GET /stats", () => {
  it("counts the range given, leaving 9902 out of the delivery rate", async () => {
    const { since, until } = await seed();
    const body = await stats({ since, until });
    expect(body).toMatchObject({
      since,
      until,
      outbound: {
        recipients: 3,
        counts: { delivered: 1, failed: 2 },
        noReceipt: 1,
        deliveryRate: 0.5,
        timeToDelivery: { count: 1, p50Ms: 1_000, p95Ms: 1_000 },
      },
      inbound: { messages: 1 },
    });
    expect(body.outbound.failures.map((f) => [f.errorCode, f.class])).toEqual([
      [4720, "carrier-rejected"],
      [9902, "no-receipt"],
    ]);
    expect(body.groups).toBeUndefined();
  });

  it("counts the last 24 hours when no range is given", async () => {
    const tag = crypto.randomUUID();
    const recent = new Date(Date.now() - HOUR).toISOString();
    const old = new Date(Date.now() - 25 * HOUR).toISOString();
    for (const [n, time] of [recent, old].entries()) {
      await writeMessage(
        db,
        rowsOf(
          outboundEvents({ id: `${tag}-${n}`, time, applicationId: tag }, { r: { status: "delivered" } }),
        ),
      );
    }
    const body = await stats({ applicationId: tag });
    expect(body.outbound.recipients).toBe(1);
    expect(Date.parse(body.until) - Date.parse(body.since)).toBe(24 * HOUR);
    expect(Math.abs(Date.parse(body.until) - Date.now())).toBeLessThan(60_000);
  });

  it("counts one application when asked", async () => {
    const { since, until, apps } = await seed();
    const body = await stats({ since, until, applicationId: apps.b });
    expect(body).toMatchObject({ applicationId: apps.b, outbound: { recipients: 1, deliveryRate: null } });
    expect(body.inbound.messages).toBe(0);
  });

  it("groups by each of hour, day, errorCode, carrier and applicationId", async () => {
    const { since, until, apps } = await seed();
    const keys = async (by: string) =>
      (await stats({ since, until, by })).groups?.map((g) => [
        g.key,
        g.outbound.recipients,
        g.inbound?.messages,
      ]);
    const hours = await keys("hour");
    expect(hours).toHaveLength(24);
    const hour = (h: number) => new Date(Date.parse(since) + h * HOUR).toISOString();
    expect(hours?.slice(9, 11)).toEqual([
      [hour(9), 2, 0],
      [hour(10), 1, 1],
    ]);
    expect(await keys("day")).toEqual([[since, 3, 1]]);
    expect(await keys("errorCode")).toEqual([
      [4720, 1, undefined],
      [9902, 1, undefined],
      [null, 1, undefined],
    ]);
    expect(await keys("carrier")).toEqual([
      ["T-Mobile", 2, undefined],
      ["Verizon", 1, undefined],
    ]);
    expect(await keys("applicationId")).toEqual([
      [apps.a, 2, 1],
      [apps.b, 1, 0],
    ]);
  });

  it("refuses bad parameters and ranges with a 400 naming the problem, never the value", async () => {
    const refused = async (query: string, words: string, secret?: string) => {
      const response = await admin(`/stats?${query}`);
      expect(response.status, query).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text).error, query).toContain(words);
      if (secret) expect(text).not.toContain(secret);
    };
    await refused("by=week", "by");
    await refused("since=%2B15557654321", "since", "5557654321");
    await refused("until=yesterday", "until", "yesterday");
    await refused("since=2026-03-10T00:00:00Z&until=2026-03-09T00:00:00Z", "until must be later than since");
    await refused("since=2024-01-01T00:00:00Z&until=2026-01-01T00:00:00Z", "at most 366 days");
    await refused("since=2026-01-01T00:00:00Z&until=2026-03-01T00:00:00Z&by=hour", "by=hour");
    await refused("applicationId=", "applicationId");
    await refused("by=day&by=hour", "by");
    await refused("limit=5", "unknown query parameter: limit");
    const noToken = await exports.default.fetch("https://receiver.test/stats");
    expect(noToken.status).toBe(401);
  });
});
