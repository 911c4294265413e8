/**
 * The outboxes' decisions over a message's event records (src/forward/outbox.ts): each destination's head,
 * what an attempt does to its delivery, redelivery (to one destination, moving a removed one's dead events),
 * retiring a removed destination, and the next wake-up.
 */

import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import {
  DESTINATION_REMOVED,
  dueByDestination,
  endMediaHold,
  expireStale,
  expireStaleOf,
  hasPending,
  hasStale,
  pendingDueAt,
  pendingHead,
  recordAttempt,
  requeue,
  retireRemoved,
  staleAt,
  TOO_OLD,
} from "../../src/forward/outbox.ts";
import type { Delivery, EventRecord } from "../../src/message/records.ts";
import { pendingDelivery } from "../../src/message/records.ts";
import { statusEvent } from "../helpers/events.ts";

const POLICY = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAgeMs: 3_600_000 };
const EVENT = v.parse(BandwidthEventSchema, statusEvent("message-delivered"));

function delivery(overrides: Partial<Delivery> = {}): Delivery {
  return { ...pendingDelivery(0), ...overrides };
}

function record(seq: number, deliveries: Record<string, Partial<Delivery>> = { default: {} }): EventRecord {
  return {
    seq,
    eventId: `evt_${seq}`,
    instant: "2024-09-14T18:20:16.000000000Z",
    event: EVENT,
    statusAfter: "delivered",
    duplicates: 0,
    acceptedAt: 0,
    deliveries: Object.fromEntries(Object.entries(deliveries).map(([name, d]) => [name, delivery(d)])),
  };
}

describe("pendingHead and pendingDueAt", () => {
  it("take each destination's first pending event in sequence order, even when a later one is due sooner", () => {
    const records = [
      record(1, { default: { state: "delivered" }, crm: { nextAttemptAt: 4_000 } }),
      record(2, { default: { nextAttemptAt: 9_000 }, crm: {} }),
      record(3),
    ];
    expect(pendingHead(records, "default")?.seq).toBe(2);
    expect(pendingHead(records, "crm")?.seq).toBe(1);
    expect([...dueByDestination(records)]).toEqual([
      ["crm", 4_000],
      ["default", 9_000],
    ]);
    expect(pendingDueAt(records)).toBe(4_000);
    expect(pendingDueAt(records, new Set(["crm"]))).toBe(9_000);
    // A rate-limited destination's head is due no earlier than its next permit's slot.
    expect(pendingDueAt(records, new Set(), new Map([["crm", 12_000]]))).toBe(9_000);
    expect(pendingDueAt(records, new Set(), new Map([["crm", 5_000]]))).toBe(5_000);
    expect(pendingDueAt([record(1, { default: { state: "dead" } })])).toBeUndefined();
  });

  it("let a dead event pass: the next one of that destination is the head", () => {
    const records = [record(1, { default: { state: "dead" } }), record(2)];
    expect(pendingHead(records, "default")?.seq).toBe(2);
  });

  it("see an event routed nowhere as never pending", () => {
    expect(hasPending([record(1, {})])).toBe(false);
    expect(pendingHead([record(1, {})], "default")).toBeUndefined();
  });
});

describe("recordAttempt", () => {
  it("marks a 2xx delivered and clears the error and the next attempt", () => {
    const head = delivery({ attempts: 2, lastError: "HTTP 503" });
    expect(recordAttempt(head, { kind: "response", status: 204 }, POLICY, 5_000)).toBe("delivered");
    expect(head).toMatchObject({ state: "delivered", attempts: 3, forwardedAt: 5_000, lastError: null });
    expect(head.nextAttemptAt).toBeNull();
  });

  it("schedules a retry after a 503, within the backoff", () => {
    const head = delivery();
    expect(recordAttempt(head, { kind: "response", status: 503 }, POLICY, 5_000)).toBe("retry");
    expect(head).toMatchObject({ state: "pending", attempts: 1, lastError: "HTTP 503" });
    expect(head.nextAttemptAt).toBeGreaterThanOrEqual(5_500);
    expect(head.nextAttemptAt).toBeLessThanOrEqual(6_000);
  });

  it("makes a 400, and a retry past the maximum age, dead with index work to add", () => {
    const rejected = delivery();
    expect(recordAttempt(rejected, { kind: "response", status: 400 }, POLICY, 5_000)).toBe("dead");
    expect(rejected).toMatchObject({ state: "dead", deadIndex: "add", lastError: "HTTP 400" });
    const old = delivery({ retrySince: 0 });
    expect(recordAttempt(old, { kind: "timeout" }, POLICY, POLICY.maxAgeMs)).toBe("dead");
    expect(old).toMatchObject({ state: "dead", deadIndex: "add", lastError: "timeout" });
  });
});

describe("requeue", () => {
  it("puts dead deliveries back with fresh attempts, keeping the sequence, and asks to remove their index entry", () => {
    const records = [
      record(1, { default: { state: "delivered" } }),
      record(2, { default: { state: "dead", attempts: 7, lastError: "HTTP 400" } }),
    ];
    expect(requeue(records, { scope: "dead", now: 9_000 })).toBe(1);
    expect(records[1]?.deliveries.default).toMatchObject({
      state: "pending",
      attempts: 0,
      nextAttemptAt: 9_000,
      retrySince: 9_000,
      lastError: null,
      deadIndex: "remove",
    });
    expect(records[0]?.deliveries.default?.state).toBe("delivered");
  });

  it("with all, puts back every delivery that is not pending", () => {
    const records = [
      record(1, { default: { state: "delivered" } }),
      record(2, { default: { state: "dead" } }),
      record(3),
    ];
    expect(requeue(records, { scope: "all", now: 9_000 })).toBe(2);
    expect(records.map((r) => [r.deliveries.default?.state, r.deliveries.default?.deadIndex])).toEqual([
      ["pending", null],
      ["pending", "remove"],
      ["pending", null],
    ]);
  });

  it("for one destination, touches only that destination's deliveries", () => {
    const records = [record(1, { crm: { state: "dead" }, inbox: { state: "dead" } })];
    expect(requeue(records, { scope: "dead", destination: "crm", now: 1 })).toBe(1);
    expect(records[0]?.deliveries.crm?.state).toBe("pending");
    expect(records[0]?.deliveries.inbox?.state).toBe("dead");
  });

  it("moves a removed destination's dead events to the destination named, and forgets their old entry", () => {
    const records = [
      record(1, { old: { state: "dead", lastError: DESTINATION_REMOVED } }),
      record(2, { old: { state: "delivered" } }),
    ];
    const configured = new Set(["crm"]);
    expect(requeue(records, { scope: "dead", destination: "crm", configured, now: 5 })).toBe(1);
    expect(records[0]?.deliveries.old).toMatchObject({ state: "moved", deadIndex: "remove" });
    expect(records[0]?.deliveries.crm).toMatchObject({ state: "pending", attempts: 0, nextAttemptAt: 5 });
    expect(records[1]?.deliveries.crm).toBeUndefined();
  });
});

describe("retireRemoved", () => {
  it("kills the pending deliveries of destinations no longer configured, to be listed", () => {
    const records = [record(1, { gone: {}, crm: {} }), record(2, { gone: { state: "delivered" } })];
    expect(retireRemoved(records, new Set(["crm"]))).toBe(1);
    expect(records[0]?.deliveries.gone).toMatchObject({
      state: "dead",
      lastError: DESTINATION_REMOVED,
      deadIndex: "add",
    });
    expect(records[0]?.deliveries.crm?.state).toBe("pending");
    expect(records[1]?.deliveries.gone?.state).toBe("delivered");
  });
});

describe("expireStale", () => {
  it("kills a pending delivery that waited past its max age without an attempt (a paused destination's)", () => {
    const fresh = delivery({ retrySince: 0 });
    expect(expireStale(fresh, POLICY, POLICY.maxAgeMs - 1)).toBe(false);
    expect(fresh.state).toBe("pending");
    const old = delivery({ retrySince: 0 });
    expect(expireStale(old, POLICY, POLICY.maxAgeMs)).toBe(true);
    expect(old).toMatchObject({ state: "dead", deadIndex: "add", lastError: TOO_OLD });
    expect(expireStale(delivery({ state: "delivered", retrySince: 0 }), POLICY, 1e12)).toBe(false);
  });
});

describe("expireStaleOf, hasStale and staleAt: a destination's age check", () => {
  it("kills every pending delivery of that destination past its max age, and no other", () => {
    const records = [
      record(1, { crm: { retrySince: 0 }, inbox: { retrySince: 0 } }),
      record(2, { crm: { retrySince: 10 } }),
      record(3, { crm: { retrySince: POLICY.maxAgeMs } }),
    ];
    const now = POLICY.maxAgeMs + 10;
    expect(staleAt(records, "crm", POLICY)).toBe(POLICY.maxAgeMs);
    expect(hasStale(records, "crm", POLICY, now)).toBe(true);
    expect(expireStaleOf(records, "crm", POLICY, now)).toBe(2);
    expect(records.map((r) => r.deliveries.crm?.state)).toEqual(["dead", "dead", "pending"]);
    expect(records[0]?.deliveries.inbox?.state).toBe("pending");
    expect(hasStale(records, "crm", POLICY, now)).toBe(false);
    expect(staleAt(records, "crm", POLICY)).toBe(2 * POLICY.maxAgeMs);
  });

  it("never ages an event held for its media copies, nor those queued behind it", () => {
    const held = record(1, { crm: { retrySince: 0 } });
    held.media = { settled: false };
    const records = [held, record(2, { crm: { retrySince: 0 } })];
    const now = 10 * POLICY.maxAgeMs;
    expect(hasStale(records, "crm", POLICY, now)).toBe(false);
    expect(staleAt(records, "crm", POLICY)).toBeUndefined();
    expect(expireStaleOf(records, "crm", POLICY, now)).toBe(0);
    expect(records.map((r) => r.deliveries.crm?.state)).toEqual(["pending", "pending"]);
  });
});

describe("endMediaHold", () => {
  it("releases the event and starts the age of its deliveries, and of those behind it, when the hold ends", () => {
    const earlier = record(1, { crm: { retrySince: 0 } });
    const held = record(2, { crm: { retrySince: 0 }, inbox: { retrySince: 0 } });
    held.media = { settled: false };
    const tried = record(3, { crm: { retrySince: 0 }, inbox: { retrySince: 0, attempts: 1 } });
    const records = [earlier, held, tried];
    const end = 24 * POLICY.maxAgeMs;
    endMediaHold(records, 2, end);
    expect(held.media).toEqual({ settled: true });
    expect(held.deliveries.crm?.retrySince).toBe(end);
    expect(held.deliveries.inbox?.retrySince).toBe(end);
    expect(tried.deliveries.crm?.retrySince).toBe(end);
    // An event before the hold, and a delivery already tried, keep their age.
    expect(earlier.deliveries.crm?.retrySince).toBe(0);
    expect(tried.deliveries.inbox?.retrySince).toBe(0);
    // Once released, the hold's length is not held against it: not stale before its full max age.
    expect(hasStale(records.slice(1, 2), "crm", POLICY, end + POLICY.maxAgeMs - 1)).toBe(false);
  });
});
