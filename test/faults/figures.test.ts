/**
 * The fault runs' checker, checked: from made-up evidence, the figures find a lost event, a delivery out of
 * order, a duplicate, an event under two ids, a wrong sequence and an acknowledged event that was never stored,
 * so that `lost 0` in a real run means something.
 */
import { describe, expect, it } from "vitest";
import type { DownstreamRequest } from "../../harness/downstream.ts";
import type { BandwidthEventInput as BandwidthEvent } from "../../src/bandwidth/schema.ts";
import type { EventView } from "../e2e/harness/answers.ts";
import { keyOfSent } from "./event-key.ts";
import { computeFigures, percentile, type RunEvidence } from "./figures.ts";
import type { CallbackRecord } from "./traffic.ts";
import { groupLifecycle, planTraffic } from "./traffic-plan.ts";

const T0 = 1_700_000_000_000;
const MESSAGE = "msg-checker-1";
const EVENTS = groupLifecycle(MESSAGE, 1, () => false);
const IDS = ["evt_a", "evt_b", "evt_c"];

function record(event: BandwidthEvent, index: number): CallbackRecord {
  return {
    planned: { index, event, key: keyOfSent(event), resend: false },
    attempts: [{ startedAt: T0 + index * 100, status: 200, latencyMs: 10 + index }],
    ackedAt: T0 + index * 100 + 20,
    ack: { accepted: 1, duplicates: 0 },
  };
}

function stored(event: BandwidthEvent, index: number): EventView {
  return {
    id: IDS[index] ?? "",
    sequence: index + 1,
    type: event.type,
    recipient: event.to,
    time: event.time,
    forwarding: { default: { state: "delivered", attempts: 1 } },
  };
}

/** A downstream request for event `index` (its id and sequence, unless overridden), at `at` ms after T0. */
function forwarded(
  index: number,
  at: number,
  answered: number | undefined,
  override: { id?: string; sequence?: string } = {},
): DownstreamRequest {
  const event = EVENTS[index] as BandwidthEvent;
  return {
    index: 0,
    method: "POST",
    path: "/events",
    headers: {},
    body: Buffer.alloc(0),
    receivedAt: T0 + at,
    signature: "ok",
    attempt: 1,
    answered,
    event: {
      specversion: "1.0",
      id: override.id ?? IDS[index] ?? "",
      source: "/bandwidth/messaging/applications/app",
      type: "com.bandwidth.message.x",
      subject: MESSAGE,
      time: event.time,
      sequence: override.sequence ?? String(index + 1),
      data: { bandwidthType: event.type, recipient: event.to, time: event.time },
    },
  };
}

function evidence(requests: DownstreamRequest[], histories = [EVENTS.map(stored)]): RunEvidence {
  return {
    scenario: "checker",
    traffic: { records: EVENTS.map(record), startedAt: T0, endedAt: T0 + 1_000, backpressureWaits: 0 },
    histories: new Map(histories.map((events) => [MESSAGE, events])),
    requests,
    drainFrom: T0 + 1_000,
    measuredAt: T0 + 5_000,
  };
}

const IN_ORDER = [
  forwarded(0, 500, 503),
  forwarded(0, 1_100, 200),
  forwarded(1, 1_200, 200),
  forwarded(2, 1_500, 200),
];

describe("the fault runs' figures", () => {
  it("find nothing wrong in a run that delivered every event once, in order, after a retry", () => {
    const figures = computeFigures(evidence(IN_ORDER));
    expect(figures).toMatchObject({
      accepted: 3,
      stored: 3,
      deliveredDistinct: 3,
      lost: 0,
      duplicates: 0,
      outOfOrder: 0,
      idConflicts: 0,
      unexpected: 0,
      sequenceMismatches: 0,
      downstreamAnswers: { "200": 3, "503": 1 },
    });
    // The last event was acknowledged at T0 + 220 and first delivered at T0 + 1,500.
    expect(figures.lagMaxMs).toBe(1_280);
    expect(figures.timeToDrainMs).toBe(500);
    expect([figures.ackP50Ms, figures.ackMaxMs]).toEqual([11, 12]);
  });

  it("count an event the downstream never answered 2xx as lost", () => {
    const figures = computeFigures(
      evidence([forwarded(0, 100, 200), forwarded(1, 200, 200), forwarded(2, 300, 503)]),
    );
    expect(figures).toMatchObject({ lost: 1, deliveredDistinct: 2 });
  });

  it("count a delivery sent before the previous sequence was delivered as out of order", () => {
    const figures = computeFigures(
      evidence([forwarded(1, 100, 200), forwarded(0, 200, 200), forwarded(2, 300, 200)]),
    );
    expect(figures.outOfOrder).toBe(1);
    expect(figures.lost).toBe(0);
  });

  it("count a second 2xx for the same id as a duplicate, not as a loss", () => {
    const figures = computeFigures(evidence([...IN_ORDER, forwarded(2, 1_600, 200)]));
    expect(figures).toMatchObject({ duplicates: 1, lost: 0, deliveredDistinct: 3 });
  });

  it("catch one Bandwidth event delivered under a second id, and a wrong sequence", () => {
    const twice = computeFigures(evidence([...IN_ORDER, forwarded(2, 1_600, 200, { id: "evt_other" })]));
    expect(twice).toMatchObject({ idConflicts: 1, unexpected: 1 });
    const renumbered = computeFigures(
      evidence([...IN_ORDER.slice(0, 3), forwarded(2, 1_500, 200, { sequence: "4" })]),
    );
    expect(renumbered.sequenceMismatches).toBe(1);
  });

  it("count an event the receiver still holds as pending, although the downstream has it", () => {
    const history = EVENTS.map(stored);
    const last = history[2] as EventView;
    history[2] = {
      ...last,
      forwarding: { default: { state: "pending", attempts: 2, lastError: "timeout" } },
    };
    const figures = computeFigures(evidence(IN_ORDER, [history]));
    expect(figures).toMatchObject({ notDeliveredInHistory: 1, lost: 0 });
  });

  it("count an acknowledged event missing from the history as lost", () => {
    const figures = computeFigures(evidence(IN_ORDER.slice(0, 3), [EVENTS.slice(0, 2).map(stored)]));
    expect(figures).toMatchObject({ acceptedNotStored: 1, lost: 1, unexpected: 0 });
  });
});

describe("percentile", () => {
  it("is the nearest rank, and 0 for no values", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect([percentile(values, 50), percentile(values, 99), percentile(values, 100)]).toEqual([50, 99, 100]);
    expect(percentile([], 99)).toBe(0);
  });
});

describe("the traffic plan", () => {
  it("is the same for the same seed, keeps each message's events in time order and resends some", () => {
    const shape = { label: "plan", callbacks: 600, recipientsPerMessage: 2, concurrentMessages: 10 };
    const plan = planTraffic({ ...shape, resendRatio: 0.05, failureRatio: 0.2, seed: 9 });
    const again = planTraffic({ ...shape, resendRatio: 0.05, failureRatio: 0.2, seed: 9 });
    const strip = (p: typeof plan) => p.map((c) => [c.event.type, c.event.to, c.event.time, c.resend]);
    expect(strip(again)).toEqual(strip(plan));
    const resends = plan.filter((c) => c.resend);
    expect(resends.length).toBeGreaterThan(10);
    expect(resends.every((c) => plan.some((o) => !o.resend && o.key === c.key && o.index < c.index))).toBe(
      true,
    );
    const lastTime = new Map<string, string>();
    for (const callback of plan.filter((c) => !c.resend)) {
      const id = callback.event.message.id;
      expect(callback.event.time > (lastTime.get(id) ?? "")).toBe(true);
      lastTime.set(id, callback.event.time);
    }
    expect(plan.some((c) => c.event.type === "message-failed" && c.event.errorCode === 4720)).toBe(true);
  });
});
