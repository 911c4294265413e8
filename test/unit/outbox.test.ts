/**
 * The outbox's decisions over a message's event records (src/forward/outbox.ts): the head, what an attempt
 * does to its record, redelivery, and the next wake-up.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { nextWake, pendingDueAt, pendingHead, recordAttempt, requeue } from "../../src/forward/outbox.ts";
import type { EventRecord } from "../../src/message/records.ts";
import { statusEvent } from "../helpers/events.ts";

const POLICY = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAgeMs: 3_600_000 };
const EVENT = v.parse(BandwidthEventSchema, statusEvent("message-delivered"));

function record(seq: number, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    seq,
    eventId: `evt_${seq}`,
    instant: "2024-09-14T18:20:16.000000000Z",
    event: EVENT,
    statusAfter: "delivered",
    duplicates: 0,
    acceptedAt: 0,
    retrySince: 0,
    forwardState: "pending",
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
    forwardedAt: null,
    deadIndex: null,
    ...overrides,
  };
}

describe("pendingHead and pendingDueAt", () => {
  it("take the first pending event in sequence order, even when a later one is due sooner", () => {
    const records = [
      record(1, { forwardState: "delivered" }),
      record(2, { nextAttemptAt: 9_000 }),
      record(3),
    ];
    expect(pendingHead(records)?.seq).toBe(2);
    expect(pendingDueAt(records)).toBe(9_000);
    expect(pendingDueAt([record(1, { forwardState: "dead" })])).toBeUndefined();
  });
});

describe("recordAttempt", () => {
  it("marks a 2xx delivered and clears the error and the next attempt", () => {
    const head = record(1, { attempts: 2, lastError: "HTTP 503" });
    expect(recordAttempt(head, { kind: "response", status: 204 }, POLICY, 5_000)).toBe("delivered");
    expect(head).toMatchObject({
      forwardState: "delivered",
      attempts: 3,
      forwardedAt: 5_000,
      lastError: null,
    });
    expect(head.nextAttemptAt).toBeNull();
  });

  it("schedules a retry after a 503, within the backoff", () => {
    const head = record(1);
    expect(recordAttempt(head, { kind: "response", status: 503 }, POLICY, 5_000)).toBe("retry");
    expect(head).toMatchObject({ forwardState: "pending", attempts: 1, lastError: "HTTP 503" });
    expect(head.nextAttemptAt).toBeGreaterThanOrEqual(5_500);
    expect(head.nextAttemptAt).toBeLessThanOrEqual(6_000);
  });

  it("makes a 400, and a retry past the maximum age, dead with index work to add", () => {
    const rejected = record(1);
    expect(recordAttempt(rejected, { kind: "response", status: 400 }, POLICY, 5_000)).toBe("dead");
    expect(rejected).toMatchObject({ forwardState: "dead", deadIndex: "add", lastError: "HTTP 400" });
    const old = record(2, { retrySince: 0 });
    expect(recordAttempt(old, { kind: "timeout" }, POLICY, POLICY.maxAgeMs)).toBe("dead");
    expect(old).toMatchObject({ forwardState: "dead", deadIndex: "add", lastError: "timeout" });
  });
});

describe("requeue", () => {
  it("puts dead events back with fresh attempts, keeping their sequence, and asks to remove their index entry", () => {
    const records = [
      record(1, { forwardState: "delivered" }),
      record(2, { forwardState: "dead", attempts: 7, lastError: "HTTP 400" }),
    ];
    expect(requeue(records, "dead", 9_000)).toBe(1);
    expect(records[1]).toMatchObject({
      seq: 2,
      forwardState: "pending",
      attempts: 0,
      nextAttemptAt: 9_000,
      retrySince: 9_000,
      lastError: null,
      deadIndex: "remove",
    });
    expect(records[0]?.forwardState).toBe("delivered");
  });

  it("with all, puts back every event that is not pending", () => {
    const records = [
      record(1, { forwardState: "delivered" }),
      record(2, { forwardState: "dead" }),
      record(3),
    ];
    expect(requeue(records, "all", 9_000)).toBe(2);
    expect(records.map((r) => [r.forwardState, r.deadIndex])).toEqual([
      ["pending", null],
      ["pending", "remove"],
      ["pending", null],
    ]);
  });
});

describe("nextWake", () => {
  const base = { hasIndexWork: false, indexRetryAt: 0, updatedAt: 1_000, retentionMs: 50_000 };

  it("wakes for the pending head, or for retention once nothing is pending", () => {
    expect(nextWake({ ...base, headDueAt: 7_000 })).toBe(7_000);
    expect(nextWake({ ...base, headDueAt: undefined })).toBe(51_000);
  });

  it("wakes earlier for dead-letter index work", () => {
    expect(nextWake({ ...base, headDueAt: undefined, hasIndexWork: true, indexRetryAt: 3_000 })).toBe(3_000);
  });
});
