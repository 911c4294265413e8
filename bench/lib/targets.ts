/**
 * The bench's targets (issue #15 as issue #23 tightened them, and #12's for three destinations), each with the value of this run and `ok`.
 * Pure.
 */
import type { BenchResult, TargetCheck } from "./result.ts";

type Partial = Omit<BenchResult, "targets" | "warnings">;

function atMost(name: string, value: number | null | undefined, limit: number): TargetCheck {
  const v = value ?? null;
  return { name, value: v, target: `<= ${limit}`, ok: v !== null && v <= limit };
}

function atLeast(name: string, value: number | null | undefined, limit: number): TargetCheck {
  const v = value ?? null;
  return { name, value: v, target: `>= ${limit}`, ok: v !== null && v >= limit };
}

function zero(name: string, value: number): TargetCheck {
  return { name, value, target: "= 0", ok: value === 0 };
}

/**
 * Throughput against the floor (disk and /dev/shm, each when run), CPU, rows written and cost per callback,
 * the half-saturation pass, bundle, storage, three destinations, and the dead-lettering scenario when it ran.
 */
export function checkTargets(result: Partial): TargetCheck[] {
  const { throughput, halfSaturation: half, metering } = result;
  const checks: TargetCheck[] = [];
  if (throughput.disk) checks.push(atLeast("throughput.disk.ratio", throughput.disk.ratio, 0.8));
  if (throughput.tmpfs) checks.push(atLeast("throughput.tmpfs.ratio", throughput.tmpfs.ratio, 0.8));
  checks.push(
    atMost("cpu.ratio", result.cpu.ratio, 1.5),
    atMost("metering.receiver.sqlRowsWrittenPerCallback", metering.receiver.operations?.sqlRowsWritten, 2),
    atMost("metering.receiver.d1RowsWrittenPerCallback", metering.receiver.operations?.d1RowsWritten, 1),
    atMost("cost.usdPerMillionCallbacks", result.cost?.usdPerMillionCallbacks, 3),
    atMost("halfSaturation.p99Ms", half.ingest.p99Ms, 300),
    atMost("halfSaturation.lagP99Ms", half.forwarding.lagP99Ms, 1000),
    zero("halfSaturation.errors", half.ingest.errors),
    zero("halfSaturation.lost", half.forwarding.lost),
    zero("ingest.errors", result.ingest.errors),
    zero("forwarding.lost", result.forwarding.lost),
    atMost("bundle.gzipBytes", result.bundle.gzipBytes, 64 * 1024),
    atMost("storage.bytesPerMessage", result.storage.bytesPerMessage, 16 * 1024),
    zero("destinations.lost", result.destinations.forwarding.lost),
    // #12's lag ratio is checked at equal offered load below saturation; the saturated ratio stays a figure
    // (see bench/README.md: at saturation it measures this machine's shared cores, not the fan-out).
    // Missed, not skipped, when the pass did not run.
    atMost("destinations.halfSaturation.lagP99Ratio", result.destinations.halfSaturation?.lagP99Ratio, 1.5),
    ...(result.destinations.halfSaturation
      ? [zero("destinations.halfSaturation.lost", result.destinations.halfSaturation.forwarding.lost)]
      : []),
  );
  if (result.deadLetters) {
    const { events, listed, maxRequestMs } = result.deadLetters;
    checks.push(
      { name: "deadLetters.listed", value: listed, target: `= ${events}`, ok: listed === events },
      atMost("deadLetters.maxRequestMs", maxRequestMs, 1000),
    );
  }
  return checks;
}
