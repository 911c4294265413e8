/**
 * The bench's result (bench/results/latest.json): its shape (result.ts), the targets (targets.ts), the warnings
 * about runs whose figures cannot be trusted, and the table printed at the end (table.ts).
 */
import type { BenchResult } from "./result.ts";

export type {
  BenchResult,
  DeadLetterFigures,
  ForwardingFigures,
  LoadFigures,
  RunCost,
  TargetCheck,
  ThroughputPass,
} from "./result.ts";
export { formatTable } from "./table.ts";
export { checkTargets } from "./targets.ts";

/**
 * Signs that a run's figures are unreliable: a load that overran its duration (the machine stalled), bad
 * signatures, and metered Worker requests that do not match the answered callbacks (the counts would not be
 * the whole run's: more than one isolate, or requests the load did not send).
 */
export function runWarnings(result: Omit<BenchResult, "targets" | "warnings">): string[] {
  const warnings: string[] = [];
  // The half-saturation passes run for twice the duration (as many requests as a saturated run).
  const { duration } = result.params;
  const half = result.destinations.halfSaturation;
  for (const [name, load, planned] of [
    ["receiver", result.ingest, duration],
    ["baseline", result.baseline, duration],
    ["floor", result.floor, duration],
    ["three-destination receiver", result.destinations.ingest, duration],
    ["half-saturation receiver", result.halfSaturation.ingest, 2 * duration],
    ...(half ? [["three-destination half-saturation receiver", half.ingest, 2 * duration] as const] : []),
  ] as const) {
    if (load.durationS > planned * 1.2 + 2) {
      warnings.push(
        `the ${name} load ran ${load.durationS} s instead of ${planned} s: the machine stalled; run again`,
      );
    }
  }
  const badSignatures = result.forwarding.badSignatures + result.destinations.forwarding.badSignatures;
  if (badSignatures > 0) {
    warnings.push(`${badSignatures} forwarded requests had a signature that did not verify`);
  }
  for (const [name, run] of Object.entries(result.metering)) {
    const counted = run.counts?.workerRequests;
    // Requests still in flight when the load stopped reached the Worker without being counted as answered.
    if (counted !== undefined && Math.abs(counted - run.callbacks) > result.params.concurrency) {
      warnings.push(
        `the ${name} run's metering counted ${counted} Worker requests for ${run.callbacks} answered: its counts are not the whole run's`,
      );
    }
  }
  return warnings;
}
