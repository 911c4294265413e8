/**
 * The bench's result: its JSON shape (bench/results/latest.json), the targets from issues #5 and #12 and the
 * table printed at the end.
 */
import type { DestinationsForwarding } from "./destinations.ts";
import type { MixShares } from "./mix.ts";

/** One Worker under load, as the load generator measured it. */
export interface LoadFigures {
  /** Mean of autocannon's per-second samples of completed requests. */
  requestsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Non-2xx answers + socket errors + timeouts. */
  errors: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  /** Requests answered. */
  completed: number;
  durationS: number;
}

/** The whole result. */
export interface BenchResult {
  timestamp: string;
  machine: {
    cores: number;
    cpuModel: string;
    nodeVersion: string;
    wranglerVersion: string;
    workerdVersion: string;
    platform: string;
  };
  params: {
    duration: number;
    concurrency: number;
    seed: number;
    mix: MixShares;
    order: string;
    receiverVars: Record<string, string>;
    /** X_LOCAL_OBSERVABILITY given to both wrangler dev processes. */
    localObservability: string;
  };
  ingest: LoadFigures & { messages: number; accepted: number; duplicates: number };
  baseline: LoadFigures;
  /** ingest.requestsPerSec / baseline.requestsPerSec. */
  ratio: number;
  forwarding: {
    lagP50Ms: number | null;
    lagP90Ms: number | null;
    lagP99Ms: number | null;
    lagMaxMs: number | null;
    expected: number;
    received: number;
    lost: number;
    duplicateDeliveries: number;
    unacknowledged: number;
    badSignatures: number;
    /** From the end of the load until the downstream had every expected event (or the drain timed out). */
    drainMs: number;
    lostSample: string[];
  };
  bundle: { gzipBytes: number; rawBytes: number };
  storage: {
    /** Bytes of the whole `--persist-to` directory once every SQLite write-ahead log was checkpointed. */
    bytes: number;
    files: number;
    messages: number;
    /** `bytes` / `messages`. */
    bytesPerMessage: number;
    /** The mean size of one message's own SQLite database (its MessageTracker), checkpointed. */
    messageDatabaseBytes: number;
    /** The directory as wrangler dev left it, before the checkpoint. */
    beforeCheckpoint: { bytes: number; walBytes: number };
    measured: string;
  };
  /** The same load against a receiver forwarding to three HTTP destinations (bench/lib/destinations.ts). */
  destinations: {
    ingest: LoadFigures & { accepted: number; duplicates: number };
    forwarding: DestinationsForwarding & { badSignatures: number; drainMs: number };
    /** `destinations.forwarding.lagP99Ms / forwarding.lagP99Ms`: against the one-destination run of this bench. */
    lagP99Ratio: number | null;
  };
  targets: TargetCheck[];
  /** Why the figures may not be trusted (empty when nothing looked wrong). */
  warnings: string[];
}

/** One target (issues #5 and #12) and whether this run met it. */
export interface TargetCheck {
  name: string;
  value: number | null;
  target: string;
  ok: boolean;
}

/**
 * Checks the targets: ratio ≥ 0.5, no errors, nothing lost, lag p99 ≤ 1 s, bundle ≤ 40 KiB, ≤ 20 KiB/message;
 * with three destinations, nothing lost and a lag p99 at most 1.5 times the one-destination run's.
 */
export function checkTargets(result: Omit<BenchResult, "targets" | "warnings">): TargetCheck[] {
  const lag = result.forwarding.lagP99Ms;
  const lagRatio = result.destinations.lagP99Ratio;
  return [
    { name: "ratio", value: result.ratio, target: ">= 0.5", ok: result.ratio >= 0.5 },
    { name: "ingest.errors", value: result.ingest.errors, target: "= 0", ok: result.ingest.errors === 0 },
    {
      name: "forwarding.lost",
      value: result.forwarding.lost,
      target: "= 0",
      ok: result.forwarding.lost === 0,
    },
    { name: "forwarding.lagP99Ms", value: lag, target: "<= 1000", ok: lag !== null && lag <= 1000 },
    {
      name: "bundle.gzipBytes",
      value: result.bundle.gzipBytes,
      target: "<= 40960",
      ok: result.bundle.gzipBytes <= 40 * 1024,
    },
    {
      name: "storage.bytesPerMessage",
      value: result.storage.bytesPerMessage,
      target: "<= 20480",
      ok: result.storage.bytesPerMessage <= 20 * 1024,
    },
    {
      name: "destinations.lost",
      value: result.destinations.forwarding.lost,
      target: "= 0",
      ok: result.destinations.forwarding.lost === 0,
    },
    {
      name: "destinations.lagP99Ratio",
      value: lagRatio,
      target: "<= 1.5",
      ok: lagRatio !== null && lagRatio <= 1.5,
    },
  ];
}

/** Signs that a run's figures are unreliable: a load that overran its duration (the machine stalled), bad signatures. */
export function runWarnings(result: Omit<BenchResult, "targets" | "warnings">): string[] {
  const warnings: string[] = [];
  const allowedS = result.params.duration * 1.2 + 2;
  for (const [name, load] of [
    ["receiver", result.ingest],
    ["baseline", result.baseline],
    ["three-destination receiver", result.destinations.ingest],
  ] as const) {
    if (load.durationS > allowedS) {
      warnings.push(
        `the ${name} load ran ${load.durationS} s instead of ${result.params.duration} s: the machine stalled; run again`,
      );
    }
  }
  const badSignatures = result.forwarding.badSignatures + result.destinations.forwarding.badSignatures;
  if (badSignatures > 0) {
    warnings.push(`${badSignatures} forwarded requests had a signature that did not verify`);
  }
  return warnings;
}

function figure(value: number | null, digits = 1): string {
  if (value === null) return "-";
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** The human-readable table printed at the end of a run. */
export function formatTable(result: BenchResult): string {
  const { ingest, baseline, forwarding, bundle, storage, destinations } = result;
  const rows: Array<[string, string, string]> = [
    ["", "receiver", "baseline"],
    ["requests/s", figure(ingest.requestsPerSec), figure(baseline.requestsPerSec)],
    ["p50 ms", figure(ingest.p50Ms), figure(baseline.p50Ms)],
    ["p99 ms", figure(ingest.p99Ms), figure(baseline.p99Ms)],
    ["errors", figure(ingest.errors), figure(baseline.errors)],
    ["completed", figure(ingest.completed), figure(baseline.completed)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, a, b]) => `${label.padEnd(width)}  ${a.padStart(10)}  ${b.padStart(10)}`);
  lines.push(
    "",
    `ratio                 ${figure(result.ratio, 3)}`,
    `forwarding lag        p50 ${figure(forwarding.lagP50Ms)} ms, p99 ${figure(forwarding.lagP99Ms)} ms, max ${figure(forwarding.lagMaxMs)} ms`,
    `forwarded             ${forwarding.received}/${forwarding.expected} (lost ${forwarding.lost}, duplicate deliveries ${forwarding.duplicateDeliveries}, drain ${forwarding.drainMs} ms)`,
    `bundle                ${bundle.gzipBytes} bytes gzip (${bundle.rawBytes} raw)`,
    `storage               ${figure(storage.bytesPerMessage, 0)} bytes/message (${storage.bytes} bytes, ${storage.messages} messages; one message's database ${storage.messageDatabaseBytes})`,
    "",
    `three destinations    ${figure(destinations.ingest.requestsPerSec)} requests/s, p99 answer ${figure(destinations.ingest.p99Ms)} ms, errors ${destinations.ingest.errors}`,
    `  forwarding lag      p50 ${figure(destinations.forwarding.lagP50Ms)} ms, p99 ${figure(destinations.forwarding.lagP99Ms)} ms, max ${figure(destinations.forwarding.lagMaxMs)} ms (p99 ${figure(destinations.lagP99Ratio, 2)} × one destination's)`,
    `  delivered           ${destinations.forwarding.received}/${destinations.forwarding.expected} (lost ${destinations.forwarding.lost}, duplicate deliveries ${destinations.forwarding.duplicateDeliveries}, drain ${destinations.forwarding.drainMs} ms)`,
    ...destinations.forwarding.perDestination.map(
      (d) => `  ${d.name.padEnd(18)}  ${d.received}/${d.expected}, lag p99 ${figure(d.lagP99Ms)} ms`,
    ),
    "",
    ...result.targets.map(
      (check) =>
        `${check.ok ? "ok  " : "MISS"}  ${check.name.padEnd(24)} ${figure(check.value, 3).padStart(10)}  ${check.target}`,
    ),
    ...result.warnings.map((warning) => `WARNING: ${warning}`),
  );
  return lines.join("\n");
}
