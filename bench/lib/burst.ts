/**
 * The burst scenario's figures (bench/burst-scenario.ts): a destination limited to `maxPerSecond` offered ten
 * times that, beside an unlimited destination. Pure: the scenario passes what the downstreams and the metering
 * observed.
 */
import { summarize } from "./percentiles.ts";

/** What one run of the scenario observed. */
export interface BurstObservation {
  /** Events acknowledged with a 2xx (each callback carries one). */
  acknowledged: number;
  /** Arrival times (epoch ms) at the limited destination, first deliveries only; empty in the run without it. */
  limitedArrivals: readonly number[];
  /** Distinct events the limited destination received. */
  limitedReceived: number;
  /** Distinct events the unlimited destination received. */
  unlimitedReceived: number;
  /** The unlimited destination's forwarding lags (arrival minus acknowledgement), ms. */
  unlimitedLagsMs: readonly number[];
  /** Requests to the DeliveryRateLimiter binding. */
  limiterRequests: number;
  /** Durable Object rows written (SQL rows, key-value rows and alarm writes). */
  objectRowsWritten: number;
}

/** The scenario's figures and whether they meet its targets. */
export interface BurstFigures {
  maxPerSecond: number;
  offeredPerSecond: number;
  events: number;
  /** The most limited deliveries in any 10 s window, divided by 10 × maxPerSecond (target ≤ 1.1). */
  highestWindowRatio: number | null;
  /** Acknowledged events that never reached a destination (target 0). */
  lost: number;
  /** The unlimited destination's lag p99 beside the limited one, and without it (ms). */
  unlimitedLagP99Ms: number | null;
  unlimitedLagP99AloneMs: number | null;
  /** Their ratio (target ≤ 1.2). */
  unlimitedLagRatio: number | null;
  /** DeliveryRateLimiter requests per limited delivery. */
  limiterRequestsPerDelivery: number | null;
  /** Durable Object rows written per limited delivery beyond the run without the limited destination. */
  extraRowsPerDelivery: number | null;
  /** Seconds from the first to the last limited delivery. */
  limitedSpanS: number | null;
  targetsMet: { window: boolean; lost: boolean; lag: boolean };
}

/** The most of `times` in any window of `windowMs` (a window holds t with start ≤ t < start + windowMs). */
export function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** The figures of the run beside the limited destination (`beside`) against the run without it (`alone`). */
export function burstFigures(
  params: { maxPerSecond: number; offeredPerSecond: number; events: number },
  beside: BurstObservation,
  alone: BurstObservation,
): BurstFigures {
  const { maxPerSecond } = params;
  const deliveries = beside.limitedArrivals.length;
  const ratio = (value: number, by: number) => (by > 0 ? Math.round((value / by) * 1000) / 1000 : null);
  const highestWindowRatio =
    deliveries > 0 ? ratio(busiestWindow(beside.limitedArrivals, 10_000), 10 * maxPerSecond) : null;
  const lost =
    Math.max(0, beside.acknowledged - beside.limitedReceived) +
    Math.max(0, beside.acknowledged - beside.unlimitedReceived) +
    Math.max(0, alone.acknowledged - alone.unlimitedReceived);
  const unlimitedLagP99Ms = summarize(beside.unlimitedLagsMs).p99;
  const unlimitedLagP99AloneMs = summarize(alone.unlimitedLagsMs).p99;
  const unlimitedLagRatio =
    unlimitedLagP99Ms === null || unlimitedLagP99AloneMs === null
      ? null
      : ratio(unlimitedLagP99Ms, Math.max(1, unlimitedLagP99AloneMs));
  const sorted = [...beside.limitedArrivals].sort((a, b) => a - b);
  return {
    ...params,
    highestWindowRatio,
    lost,
    unlimitedLagP99Ms,
    unlimitedLagP99AloneMs,
    unlimitedLagRatio,
    limiterRequestsPerDelivery: ratio(beside.limiterRequests, deliveries),
    extraRowsPerDelivery: ratio(beside.objectRowsWritten - alone.objectRowsWritten, deliveries),
    limitedSpanS: deliveries > 0 ? ((sorted.at(-1) ?? 0) - (sorted[0] ?? 0)) / 1000 : null,
    targetsMet: {
      window: highestWindowRatio !== null && highestWindowRatio <= 1.1,
      lost: lost === 0,
      lag: unlimitedLagRatio !== null && unlimitedLagRatio <= 1.2,
    },
  };
}
