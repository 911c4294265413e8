/**
 * A destination's health: failing only after 5 consecutive failures spanning 60 s, healthy after a success,
 * one operator event per change (with a stable id), stale reports ignored, pausing kept apart.
 */
import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  type AttemptResult,
  applyResults,
  boundedError,
  FAILURE_REPORT_GAP_MS,
  type HealthState,
  initialHealth,
  OperatorEventSchema,
  setPaused,
  shouldReport,
  statusOf,
} from "../../src/forward/destination-health.ts";
import { assertCounted } from "../generators/figures.ts";

const T0 = Date.parse("2026-11-30T10:00:00.000Z");

const fail = (seconds: number, error = "HTTP 503"): AttemptResult => ({
  ok: false,
  at: T0 + seconds * 1000,
  error,
});
const ok = (seconds: number): AttemptResult => ({ ok: true, at: T0 + seconds * 1000 });

function apply(results: AttemptResult[], state: HealthState = initialHealth()) {
  return applyResults(state, "crm", results);
}

describe("becoming failing", () => {
  it("takes 5 consecutive failures spanning at least 60 s", () => {
    const { state, events } = apply([fail(0), fail(15), fail(30), fail(45), fail(60)]);
    expect(state).toMatchObject({
      state: "failing",
      since: T0,
      consecutiveFailures: 5,
      lastError: "HTTP 503",
    });
    expect(events).toEqual([
      {
        specversion: "1.0",
        id: `failing:crm:${T0}`,
        source: "/bandwidth-edge-receiver/destinations/crm",
        type: "com.bandwidth-edge-receiver.destination.failing",
        subject: "crm",
        time: "2026-11-30T10:01:00.000Z",
        datacontenttype: "application/json",
        data: {
          destination: "crm",
          state: "failing",
          consecutiveFailures: 5,
          lastError: "HTTP 503",
          since: "2026-11-30T10:00:00.000Z",
        },
      },
    ]);
    expect(v.is(OperatorEventSchema, events[0])).toBe(true);
  });

  it("is not reached by 5 failures within 60 s, but by the first failure that makes the span 60 s", () => {
    const burst = apply([fail(0), fail(1), fail(2), fail(3), fail(59)]);
    expect(burst.state).toMatchObject({ state: "healthy", consecutiveFailures: 5 });
    expect(burst.events).toEqual([]);
    const later = apply([fail(60)], burst.state);
    expect(later.state).toMatchObject({ state: "failing", consecutiveFailures: 6, since: T0 });
    expect(later.events.map((e) => e.type)).toEqual(["com.bandwidth-edge-receiver.destination.failing"]);
  });

  it("is not reached by 4 failures however long they span", () => {
    expect(apply([fail(0), fail(100), fail(200), fail(300)]).state.state).toBe("healthy");
  });

  it("counts the failures of several reports (several messages) together", () => {
    let state = initialHealth();
    for (const seconds of [0, 20, 40, 50]) state = apply([fail(seconds)], state).state;
    const { events } = apply([fail(70, "timeout")], state);
    expect(events[0]?.data).toMatchObject({ consecutiveFailures: 5, lastError: "timeout" });
  });

  it("emits one event per change: more failures while failing emit nothing", () => {
    const failing = apply([fail(0), fail(15), fail(30), fail(45), fail(60)]).state;
    const more = apply([fail(61), fail(62)], failing);
    expect(more.events).toEqual([]);
    expect(more.state).toMatchObject({ state: "failing", consecutiveFailures: 7, since: T0 });
  });
});

describe("a success", () => {
  it("resets the count: 4 failures, a success, 4 failures is not failing", () => {
    const { state, events } = apply([
      fail(0),
      fail(20),
      fail(40),
      fail(60),
      ok(61),
      fail(62),
      fail(80),
      fail(100),
      fail(130),
    ]);
    expect(state).toMatchObject({ state: "healthy", consecutiveFailures: 4, firstFailureAt: T0 + 62_000 });
    expect(events).toEqual([]);
  });

  it("makes a failing destination healthy again, with a recovered event naming what it ended", () => {
    const failing = apply([fail(0), fail(15), fail(30), fail(45), fail(60, "HTTP 502")]).state;
    const { state, events } = apply([ok(90)], failing);
    expect(state).toMatchObject({ state: "healthy", consecutiveFailures: 0, since: T0 + 90_000 });
    expect(statusOf(state)).toEqual({ state: "healthy", since: "2026-11-30T10:01:30.000Z", paused: false });
    expect(events).toEqual([
      expect.objectContaining({
        id: `recovered:crm:${T0 + 90_000}`,
        type: "com.bandwidth-edge-receiver.destination.recovered",
        time: "2026-11-30T10:01:30.000Z",
        data: {
          destination: "crm",
          state: "healthy",
          consecutiveFailures: 5,
          lastError: "HTTP 502",
          since: "2026-11-30T10:01:30.000Z",
        },
      }),
    ]);
  });

  it("gives each change of one batch its own event, in time order (the batch is sorted)", () => {
    const { events } = apply([ok(90), fail(60), fail(45), fail(30), fail(15), fail(0), fail(100)]);
    expect(events.map((e) => e.data.state)).toEqual(["failing", "healthy"]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });
});

describe("stale reports", () => {
  it("ignore a failure older than the last success", () => {
    const afterSuccess = apply([fail(0), ok(10)]).state;
    expect(apply([fail(5)], afterSuccess).state.consecutiveFailures).toBe(0);
  });

  it("ignore a success older than the last failure", () => {
    const failing = apply([fail(0), fail(15), fail(30), fail(45), fail(60)]).state;
    const late = apply([ok(50)], failing);
    expect(late.state.state).toBe("failing");
    expect(late.events).toEqual([]);
  });

  it("count a late failure still newer than the last success, widening the span", () => {
    const state = apply([fail(30), fail(40), fail(50), fail(60)]).state;
    const { state: after, events } = apply([fail(0)], state);
    expect(after).toMatchObject({
      state: "failing",
      since: T0,
      consecutiveFailures: 5,
      lastError: "HTTP 503",
    });
    expect(events).toHaveLength(1);
  });
});

describe("the operator event id", () => {
  it("is the same when the same change is computed again (a retried report)", () => {
    const results = [fail(0), fail(15), fail(30), fail(45), fail(60)];
    expect(apply(results).events[0]?.id).toBe(apply(results).events[0]?.id);
  });
});

describe("pausing", () => {
  it("is a flag beside the health, kept across reports", () => {
    const paused = setPaused(initialHealth(), true, T0);
    expect(statusOf(paused)).toEqual({
      state: "healthy",
      paused: true,
      pausedAt: "2026-11-30T10:00:00.000Z",
    });
    const failing = apply([fail(0), fail(15), fail(30), fail(45), fail(60)], paused).state;
    expect(statusOf(failing)).toMatchObject({ state: "failing", paused: true, consecutiveFailures: 5 });
    expect(statusOf(setPaused(setPaused(failing, true, T0 + 5), false, T0 + 9))).toEqual({
      state: "failing",
      since: "2026-11-30T10:00:00.000Z",
      consecutiveFailures: 5,
      lastError: "HTTP 503",
      paused: false,
    });
    expect(apply([ok(100)], failing).state).toMatchObject({ paused: true, pausedAt: T0 });
  });
});

describe("shouldReport", () => {
  it("reports a failure at most once a second, and a success only after a failure seen or while the destination is failing", () => {
    const cases: Array<[boolean, boolean, boolean, number, boolean]> = [
      // ok, lastAttemptFailed, destinationFailing, ms since this isolate's last failure report → report
      [false, false, false, Number.POSITIVE_INFINITY, true],
      [false, true, true, FAILURE_REPORT_GAP_MS, true],
      [false, false, false, FAILURE_REPORT_GAP_MS - 1, false],
      [false, true, true, 0, false],
      [true, false, false, Number.POSITIVE_INFINITY, false],
      [true, true, false, 0, true],
      [true, false, true, 0, true],
    ];
    for (const [ok, lastAttemptFailed, destinationFailing, sinceFailureReportMs, expected] of cases) {
      expect(
        shouldReport(ok, { lastAttemptFailed, destinationFailing, sinceFailureReportMs }),
        JSON.stringify({ ok, lastAttemptFailed, destinationFailing, sinceFailureReportMs }),
      ).toBe(expected);
    }
  });
});

describe("errors in operator events", () => {
  it("never carry a URL, and are bounded", () => {
    expect(boundedError("network error: TypeError: fetch https://crm.example.com/x?token=abc failed")).toBe(
      "network error: TypeError: fetch <url> failed",
    );
    expect(boundedError("x".repeat(500))?.length).toBe(200);
    const { state } = apply([fail(0, "connect to http://10.0.0.1:8080/hook?key=s3cr3t refused")]);
    expect(state.lastError).not.toContain("s3cr3t");
  });
});

describe("health, as a property", () => {
  it("is failing exactly when the results since the last success hold 5 failures spanning 60 s (once it was)", ({
    task,
  }) => {
    const resultsArb = fc.array(
      fc.record({ ok: fc.boolean(), at: fc.integer({ min: 0, max: 600 }).map((s) => T0 + s * 1000) }),
      { maxLength: 40 },
    );
    assertCounted(
      task,
      fc.property(resultsArb, (results) => {
        const sorted = [...results].sort((a, b) => a.at - b.at);
        // The oracle: walk the sorted results, tracking the current run of failures.
        let run: number[] = [];
        let failing = false;
        let changes = 0;
        for (const result of sorted) {
          if (result.ok) {
            if (failing) changes += 1;
            failing = false;
            run = [];
          } else {
            run.push(result.at);
            const span = Math.max(...run) - Math.min(...run);
            if (!failing && run.length >= 5 && span >= 60_000) {
              failing = true;
              changes += 1;
            }
          }
        }
        const { state, events } = apply(results);
        expect(state.state).toBe(failing ? "failing" : "healthy");
        expect(state.consecutiveFailures).toBe(run.length);
        expect(events).toHaveLength(changes);
      }),
      { numRuns: 1000 },
    );
  });
});
