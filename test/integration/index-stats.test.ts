/**
 * Delivery statistics (src/index-db/stats.ts) against the real MESSAGE_INDEX: counts by status, the delivery
 * rate with 9902 left out, failures with meaning and class, time to delivery, inbound counts, and every
 * grouping. Each test counts its own day, far from the others' (storage is shared within a file).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deliveryStats } from "../../src/index-db/stats.ts";
import { writeMessage } from "../../src/index-db/write.ts";
import { inboundEvents, outboundEvents, rowsOf } from "../helpers/index-messages.ts";

const db = env.MESSAGE_INDEX;
const DAY = 86_400_000;
let days = 0;

/** A fresh UTC day (its midnight) and two application ids of its own. */
function freshDay() {
  days += 1;
  const start = Date.UTC(2030, 0, 1) + days * 7 * DAY;
  const tag = crypto.randomUUID();
  return { start, appA: `app-a-${tag}`, appB: `app-b-${tag}` };
}

/**
 * The day's messages: in hour 0 one delivered and one 4720 recipient (A), one inbound (A), one delivered (B);
 * in hour 1 a delivered, a 9902, a sent and a read recipient (A), one inbound (B); one more at the next
 * midnight, outside the day.
 */
async function seedDay() {
  const day = freshDay();
  const at = (minutes: number) => new Date(day.start + minutes * 60_000).toISOString();
  const { appA, appB } = day;
  const all = [
    outboundEvents(
      { id: `${appA}-1`, time: at(10), applicationId: appA },
      {
        r1: { status: "delivered", afterMs: 2_000, carrier: "T-Mobile" },
        r2: { status: "failed", errorCode: 4720, carrier: "AT&T" },
      },
    ),
    inboundEvents({ id: `${appA}-i1`, time: at(20), applicationId: appA }),
    outboundEvents(
      { id: `${appB}-5`, time: at(30), applicationId: appB },
      {
        r7: { status: "delivered", afterMs: 8_000, carrier: "Verizon" },
      },
    ),
    outboundEvents(
      { id: `${appA}-2`, time: at(70), applicationId: appA },
      {
        r3: { status: "delivered", afterMs: 4_000, carrier: "T-Mobile" },
      },
    ),
    outboundEvents(
      { id: `${appA}-3`, time: at(80), applicationId: appA },
      {
        r4: { status: "failed", errorCode: 9902, carrier: "Verizon" },
      },
    ),
    outboundEvents(
      { id: `${appA}-4`, time: at(90), applicationId: appA },
      {
        r5: { status: "sent" },
        r6: { status: "read", afterMs: 1_000 },
      },
    ),
    inboundEvents({ id: `${appB}-i2`, time: at(100), applicationId: appB }),
    outboundEvents(
      { id: `${appA}-next-day`, time: at(24 * 60), applicationId: appA },
      {
        r8: { status: "delivered" },
      },
    ),
  ];
  for (const events of all) await writeMessage(db, rowsOf(events));
  return { ...day, until: day.start + DAY };
}

const ZERO_COUNTS = { sending: 0, sent: 0, delivered: 0, failed: 0, read: 0, unknown: 0 };

describe("deliveryStats", () => {
  it("counts recipients by status, leaves 9902 out of the delivery rate and takes percentiles by nearest rank", async () => {
    const { start, until } = await seedDay();
    const stats = await deliveryStats(db, { since: start, until });
    expect(stats).toEqual({
      since: new Date(start).toISOString(),
      until: new Date(until).toISOString(),
      outbound: {
        recipients: 7,
        counts: { ...ZERO_COUNTS, delivered: 3, failed: 2, sent: 1, read: 1 },
        noReceipt: 1,
        deliveryRate: 4 / 5,
        failures: [
          { errorCode: 4720, count: 1, class: "carrier-rejected", meaning: expect.stringMatching(/invalid/) },
          { errorCode: 9902, count: 1, class: "no-receipt", meaning: expect.stringMatching(/may still/) },
        ],
        timeToDelivery: { count: 4, p50Ms: 2_000, p95Ms: 8_000 },
      },
      inbound: { messages: 2 },
      unroutedEvents: 0,
    });
  });

  it("counts one application only when asked", async () => {
    const { start, until, appA } = await seedDay();
    const stats = await deliveryStats(db, { since: start, until, applicationId: appA });
    expect(stats.applicationId).toBe(appA);
    expect(stats.outbound).toMatchObject({
      recipients: 6,
      counts: { ...ZERO_COUNTS, delivered: 2, failed: 2, sent: 1, read: 1 },
      deliveryRate: 3 / 4,
      timeToDelivery: { count: 3, p50Ms: 2_000, p95Ms: 4_000 },
    });
    expect(stats.inbound).toEqual({ messages: 1 });
  });

  it("counts the unrouted events of the range's messages, of one application when asked", async () => {
    const day = freshDay();
    const at = (minutes: number) => new Date(day.start + minutes * 60_000).toISOString();
    const seed = async (id: string, minutes: number, applicationId: string, unrouted: number) => {
      const rows = rowsOf(
        outboundEvents({ id, time: at(minutes), applicationId }, { r1: { status: "sending" } }),
      );
      await writeMessage(db, { ...rows, summary: { ...rows.summary, unrouted } });
    };
    await seed(`${day.appA}-u1`, 10, day.appA, 2);
    await seed(`${day.appA}-u2`, 20, day.appA, 0);
    await seed(`${day.appB}-u3`, 30, day.appB, 1);
    await seed(`${day.appA}-u4`, 24 * 60, day.appA, 5);
    const range = { since: day.start, until: day.start + DAY };
    expect((await deliveryStats(db, range)).unroutedEvents).toBe(3);
    expect((await deliveryStats(db, { ...range, applicationId: day.appA })).unroutedEvents).toBe(2);
    expect((await deliveryStats(db, { ...range, applicationId: day.appA, by: "hour" })).unroutedEvents).toBe(
      2,
    );
  });

  it("answers zeros and nulls for a range without messages", async () => {
    const { start } = freshDay();
    const stats = await deliveryStats(db, { since: start, until: start + DAY });
    expect(stats.outbound).toEqual({
      recipients: 0,
      counts: ZERO_COUNTS,
      noReceipt: 0,
      deliveryRate: null,
      failures: [],
      timeToDelivery: { count: 0, p50Ms: null, p95Ms: null },
    });
    expect(stats.inbound).toEqual({ messages: 0 });
  });

  it("by hour: every hour of the range in order, empty ones too, with inbound counts", async () => {
    const { start, until } = await seedDay();
    const stats = await deliveryStats(db, { since: start, until, by: "hour" });
    expect(stats.by).toBe("hour");
    expect(stats.groups?.map((g) => g.key)).toEqual(
      Array.from({ length: 24 }, (_, h) => new Date(start + h * 3_600_000).toISOString()),
    );
    const [first, second, third] = stats.groups ?? [];
    expect(first).toMatchObject({
      outbound: { recipients: 3, counts: { delivered: 2, failed: 1 } },
      inbound: { messages: 1 },
    });
    expect(first?.outbound.timeToDelivery).toEqual({ count: 2, p50Ms: 2_000, p95Ms: 8_000 });
    expect(second).toMatchObject({ outbound: { recipients: 4, noReceipt: 1 }, inbound: { messages: 1 } });
    expect(third).toMatchObject({
      outbound: { recipients: 0, deliveryRate: null },
      inbound: { messages: 0 },
    });
    // The totals are those of the whole range, percentiles included.
    expect(stats.outbound.timeToDelivery).toEqual({ count: 4, p50Ms: 2_000, p95Ms: 8_000 });
  });

  it("by day: one group per day of the range", async () => {
    const { start, until } = await seedDay();
    const stats = await deliveryStats(db, { since: start, until: until + DAY, by: "day" });
    expect(stats.groups?.map((g) => [g.key, g.outbound.recipients, g.inbound?.messages])).toEqual([
      [new Date(start).toISOString(), 7, 2],
      [new Date(until).toISOString(), 1, 0],
    ]);
  });

  it("by error code: the failed recipients per code, everyone else under null, no inbound", async () => {
    const { start, until } = await seedDay();
    const stats = await deliveryStats(db, { since: start, until, by: "errorCode" });
    expect(stats.groups?.map((g) => [g.key, g.outbound.recipients, g.outbound.failures.length])).toEqual([
      [null, 5, 0],
      [4720, 1, 1],
      [9902, 1, 1],
    ]);
    expect(stats.groups?.every((g) => g.inbound === undefined)).toBe(true);
    expect(stats.inbound).toEqual({ messages: 2 });
  });

  it("by carrier: most recipients first, the recipients without a carrier under null", async () => {
    const { start, until } = await seedDay();
    const stats = await deliveryStats(db, { since: start, until, by: "carrier" });
    expect(stats.groups?.map((g) => [g.key, g.outbound.recipients])).toEqual([
      ["T-Mobile", 2],
      ["Verizon", 2],
      [null, 2],
      ["AT&T", 1],
    ]);
    const verizon = stats.groups?.find((g) => g.key === "Verizon")?.outbound;
    expect(verizon).toMatchObject({ noReceipt: 1, deliveryRate: 1 });
  });

  it("by application: each application's recipients and inbound messages", async () => {
    const { start, until, appA, appB } = await seedDay();
    const stats = await deliveryStats(db, { since: start, until, by: "applicationId" });
    expect(stats.groups?.map((g) => [g.key, g.outbound.recipients, g.inbound?.messages])).toEqual([
      [appA, 6, 1],
      [appB, 1, 1],
    ]);
  });
});
