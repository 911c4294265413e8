/**
 * Load: a sustained, fixed callback rate for a minute with forwarding on to a healthy downstream. Every
 * callback answered 200, nothing lost, every message in order; the figures give the rate held, the ack
 * latency and the forwarding lag. FAULTS_LOAD_RATE and FAULTS_LOAD_SECONDS override the rate and duration.
 */
import { describe, expect, it } from "vitest";
import { useStack } from "../e2e/harness/stack.ts";
import { measureRun } from "./measure.ts";
import { expectPromiseKept, recordFigures } from "./report.ts";
import { sendTraffic } from "./traffic.ts";
import { defaultShape, planTraffic } from "./traffic-plan.ts";

const RATE = Number(process.env.FAULTS_LOAD_RATE ?? 50);
const SECONDS = Number(process.env.FAULTS_LOAD_SECONDS ?? 60);

const current = useStack();

describe("sustained load", () => {
  it(`holds ${RATE} callbacks/s for ${SECONDS} s with forwarding on: no error, nothing lost, in order`, async () => {
    const { receiver } = current();
    const plan = planTraffic(defaultShape("load", RATE * SECONDS, 4));
    const traffic = await sendTraffic({ receiver, plan, ratePerSecond: RATE });
    const figures = await measureRun(current(), traffic, {
      scenario: "load",
      drainFrom: traffic.endedAt,
      drainTimeoutMs: 60_000,
    });
    await recordFigures(figures, {
      targetRate: RATE,
      seconds: SECONDS,
      backpressureWaits: traffic.backpressureWaits,
    });

    expectPromiseKept(figures, { ackP99BelowMs: 5_000 });
    expect(figures.callbackErrors).toBe(0);
    // The rate was held: the sender never waited for the receiver and kept to its schedule.
    expect(traffic.backpressureWaits).toBe(0);
    expect(figures.achievedRate).toBeGreaterThanOrEqual(RATE * 0.95);
  });
});
