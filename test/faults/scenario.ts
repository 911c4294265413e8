/**
 * What every fault scenario shares: traffic in the background while the fault is staged on a timeline, then
 * the drain, the figures and the checks.
 */
import type { Reply } from "../../harness/downstream.ts";
import { sleep } from "../../harness/wait.ts";
import type { Stack } from "../e2e/harness/stack.ts";
import type { ScenarioFigures } from "./figures.ts";
import { deliveredIds, measureRun } from "./measure.ts";
import { recordFigures } from "./report.ts";
import { type CallbackRecord, startTraffic, type TrafficOptions, type TrafficRun } from "./traffic.ts";
import { defaultShape, planTraffic } from "./traffic-plan.ts";

/** The callback rate of the fault scenarios: steady traffic that keeps arriving through every fault. */
export const FAULT_RATE = 20;

/** A scenario: its name, how long traffic runs, and the fault, staged against the run's start time. */
export interface Scenario {
  name: string;
  seed: number;
  trafficSeconds: number;
  /**
   * Stages the fault; resolves with when it ended (what was acknowledged by then is the backlog to drain).
   * `sent` is the traffic's records so far.
   */
  stage: (stack: Stack, startedAt: number, sent: readonly CallbackRecord[]) => Promise<number>;
  /** Bandwidth-like resending of failed callbacks (only when the receiver itself goes down). */
  retry?: TrafficOptions["retry"];
  drainTimeoutMs?: number;
}

/** Sleeps until `offsetMs` after `startedAt`. */
export async function until(startedAt: number, offsetMs: number): Promise<void> {
  const wait = startedAt + offsetMs - Date.now();
  if (wait > 0) await sleep(wait);
}

/** A 2xx answered by the downstream. */
export const OK: Reply = { status: 200 };

/** Runs traffic and the staged fault together, then measures the run and records its figures. */
export async function runScenario(
  stack: Stack,
  scenario: Scenario,
  extraFigures: (run: TrafficRun) => Record<string, unknown> = () => ({}),
): Promise<{ figures: ScenarioFigures; traffic: TrafficRun }> {
  const plan = planTraffic(defaultShape(scenario.name, FAULT_RATE * scenario.trafficSeconds, scenario.seed));
  const startedAt = Date.now();
  const sending = startTraffic({
    receiver: stack.receiver,
    plan,
    ratePerSecond: FAULT_RATE,
    ...(scenario.retry ? { retry: scenario.retry } : {}),
  });
  const ticker = setInterval(
    () => console.log(progressLine(scenario.name, stack, startedAt, sending.records)),
    10_000,
  );
  try {
    // If staging throws, the traffic still ends (it is bounded) before the error surfaces.
    const [staged, traffic] = await Promise.allSettled([
      scenario.stage(stack, startedAt, sending.records),
      sending.done,
    ]);
    if (staged.status === "rejected") throw staged.reason;
    if (traffic.status === "rejected") throw traffic.reason;
    const figures = await measureRun(stack, traffic.value, {
      scenario: scenario.name,
      drainFrom: staged.value,
      drainTimeoutMs: scenario.drainTimeoutMs ?? 60_000,
    });
    await recordFigures(figures, {
      rate: FAULT_RATE,
      trafficSeconds: scenario.trafficSeconds,
      ...extraFigures(traffic.value),
    });
    return { figures, traffic: traffic.value };
  } finally {
    clearInterval(ticker);
  }
}

/** Where a run stands, every 10 s: so that a run that stalls shows where. */
function progressLine(
  name: string,
  stack: Stack,
  startedAt: number,
  sent: readonly CallbackRecord[],
): string {
  const attempted = sent.filter((record) => record.attempts.length > 0);
  const acked = attempted.filter((record) => record.ackedAt !== undefined).length;
  const failing = attempted.length - acked;
  const delivered = deliveredIds(stack.downstream).size;
  const seconds = Math.round((Date.now() - startedAt) / 1000);
  return `[faults] ${name} at ${seconds} s: callbacks answered 200 ${acked}, not (yet) ${failing}; distinct ids delivered ${delivered}`;
}
