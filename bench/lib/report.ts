/**
 * The bench's result: its JSON shape (bench/results/latest.json), the targets from issue #5 and the table
 * printed at the end.
 */
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
  targets: TargetCheck[];
  /** Why the figures may not be trusted (empty when nothing looked wrong). */
  warnings: string[];
}

/** One target of issue #5 and whether this run met it. */
export interface TargetCheck {
  name: string;
  value: number | null;
  target: string;
  ok: boolean;
}

/** Checks the targets: ratio ≥ 0.5, no errors, nothing lost, lag p99 ≤ 1 s, bundle ≤ 40 KiB, ≤ 20 KiB/message. */
export function checkTargets(result: Omit<BenchResult, "targets" | "warnings">): TargetCheck[] {
  const lag = result.forwarding.lagP99Ms;
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
  ];
}

/** Signs that a run's figures are unreliable: a load that overran its duration (the machine stalled), bad signatures. */
export function runWarnings(result: Omit<BenchResult, "targets" | "warnings">): string[] {
  const warnings: string[] = [];
  const allowedS = result.params.duration * 1.2 + 2;
  for (const [name, load] of [
    ["receiver", result.ingest],
    ["baseline", result.baseline],
  ] as const) {
    if (load.durationS > allowedS) {
      warnings.push(
        `the ${name} load ran ${load.durationS} s instead of ${result.params.duration} s: the machine stalled; run again`,
      );
    }
  }
  if (result.forwarding.badSignatures > 0) {
    warnings.push(
      `${result.forwarding.badSignatures} forwarded requests had a signature that did not verify`,
    );
  }
  return warnings;
}

function figure(value: number | null, digits = 1): string {
  if (value === null) return "-";
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** The human-readable table printed at the end of a run. */
export function formatTable(result: BenchResult): string {
  const { ingest, baseline, forwarding, bundle, storage } = result;
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
    ...result.targets.map(
      (check) =>
        `${check.ok ? "ok  " : "MISS"}  ${check.name.padEnd(24)} ${figure(check.value, 3).padStart(10)}  ${check.target}`,
    ),
    ...result.warnings.map((warning) => `WARNING: ${warning}`),
  );
  return lines.join("\n");
}
