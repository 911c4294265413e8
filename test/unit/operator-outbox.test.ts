/**
 * The operator events' outbox: only each destination's oldest pending entry is attempted, retries follow the
 * forwarding schedule up to the destination's max age, paused and removed destinations, expiry of finished
 * entries.
 */
import { describe, expect, it } from "vitest";
import {
  dueHeads,
  expiredDeliveries,
  OPERATOR_DELIVERY_KEEP_MS,
  type OperatorDelivery,
  PAUSED_RECHECK_MS,
  postponePaused,
  recordOperatorAttempt,
  removedDestination,
} from "../../src/forward/operator-outbox.ts";
import type { RetryPolicy } from "../../src/forward/retry.ts";

const NOW = 1_800_000_000_000;
const POLICY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 60_000, maxAgeMs: 3_600_000 };

function entry(overrides: Partial<OperatorDelivery> = {}): OperatorDelivery {
  return {
    eventId: "failing:crm:1",
    destination: "alerts",
    seq: 1,
    body: "{}",
    state: "pending",
    attempts: 0,
    createdAt: NOW,
    dueAt: NOW,
    ...overrides,
  };
}

describe("dueHeads", () => {
  it("gives per destination the oldest pending entry, only when it is due", () => {
    const entries = [
      entry({ seq: 1, destination: "a", eventId: "failing" }),
      entry({ seq: 2, destination: "a", eventId: "recovered" }),
      entry({ seq: 3, destination: "b", dueAt: NOW + 1 }),
      entry({ seq: 4, destination: "c", state: "delivered" }),
      entry({ seq: 5, destination: "c", eventId: "next" }),
    ];
    expect(dueHeads(entries, NOW).map((e) => [e.destination, e.eventId])).toEqual([
      ["a", "failing"],
      ["c", "next"],
    ]);
  });

  it("holds a later event while the earlier one waits for its retry (a recovered never overtakes its failing)", () => {
    const entries = [entry({ seq: 1, dueAt: NOW + 5000 }), entry({ seq: 2, eventId: "recovered" })];
    expect(dueHeads(entries, NOW)).toEqual([]);
  });
});

describe("recordOperatorAttempt", () => {
  it("marks a 2xx delivered and keeps it a day", () => {
    const after = recordOperatorAttempt(
      entry({ lastError: "HTTP 503", attempts: 1 }),
      { kind: "response", status: 204 },
      POLICY,
      NOW,
      0.5,
    );
    expect(after).toEqual(entry({ state: "delivered", attempts: 2, dueAt: NOW + OPERATOR_DELIVERY_KEEP_MS }));
  });

  it("schedules a retry after a transient failure, honouring Retry-After", () => {
    const after = recordOperatorAttempt(
      entry(),
      { kind: "response", status: 429, retryAfter: "30" },
      POLICY,
      NOW,
      0,
    );
    expect(after).toMatchObject({
      state: "pending",
      attempts: 1,
      lastError: "HTTP 429",
      dueAt: NOW + 30_000,
    });
    const timeout = recordOperatorAttempt(entry(), { kind: "timeout" }, POLICY, NOW, 0);
    expect(timeout).toMatchObject({ state: "pending", lastError: "timeout", dueAt: NOW + 500 });
  });

  it("makes a permanent status dead at once, and a transient one dead past the max age", () => {
    expect(recordOperatorAttempt(entry(), { kind: "response", status: 400 }, POLICY, NOW, 0)).toMatchObject({
      state: "dead",
      lastError: "HTTP 400",
      dueAt: NOW + OPERATOR_DELIVERY_KEEP_MS,
    });
    const old = entry({ createdAt: NOW - POLICY.maxAgeMs });
    expect(recordOperatorAttempt(old, { kind: "network", error: "x" }, POLICY, NOW, 0)).toMatchObject({
      state: "dead",
      lastError: "network error: x",
    });
  });
});

describe("paused and removed destinations", () => {
  it("looks at a paused destination's entry again later, without counting an attempt", () => {
    expect(postponePaused(entry(), POLICY, NOW)).toEqual(entry({ dueAt: NOW + PAUSED_RECHECK_MS }));
  });

  it("lets an entry age while paused, and makes it dead past the max age", () => {
    const nearlyOld = entry({ createdAt: NOW - POLICY.maxAgeMs + 1000 });
    expect(postponePaused(nearlyOld, POLICY, NOW).dueAt).toBe(NOW + 1000);
    expect(postponePaused(entry({ createdAt: NOW - POLICY.maxAgeMs }), POLICY, NOW)).toMatchObject({
      state: "dead",
      lastError: "destination paused past its max age",
    });
  });

  it("makes an entry for a removed destination dead with `destination removed`", () => {
    expect(removedDestination(entry({ attempts: 2 }), NOW)).toMatchObject({
      state: "dead",
      attempts: 2,
      lastError: "destination removed",
      dueAt: NOW + OPERATOR_DELIVERY_KEEP_MS,
    });
  });
});

describe("expiry", () => {
  it("expires finished entries past their time, never a pending one", () => {
    const entries = [
      entry({ seq: 1, state: "delivered", dueAt: NOW }),
      entry({ seq: 2, state: "dead", dueAt: NOW + 1 }),
      entry({ seq: 3, state: "pending", dueAt: NOW - 10 }),
    ];
    expect(expiredDeliveries(entries, NOW).map((e) => e.seq)).toEqual([1]);
  });
});
