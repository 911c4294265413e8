/**
 * The bench's result: its JSON shape (bench/results/latest.json), shared by the targets, the warnings and the
 * table.
 */

import type { MeterCounts } from "../../src/metering/counts.ts";
import type { Cost, OperationsPerCallback } from "./cost.ts";
import type { DestinationsForwarding } from "./destinations.ts";
import type { ForwardingFigures } from "./lag.ts";
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

export type { ForwardingFigures } from "./lag.ts";

/** The floor and the receiver on one kind of `--persist-to`, one after the other. */
export interface ThroughputPass {
  floorRequestsPerSec: number;
  receiverRequestsPerSec: number;
  /** receiver ÷ floor requests per second. */
  ratio: number | null;
  floorCpuMsPerCallback: number | null;
  receiverCpuMsPerCallback: number | null;
}

/** What one metered run did per callback answered, and what that costs at list prices. */
export interface RunCost {
  /** Callbacks answered (the load's completed requests). */
  callbacks: number;
  cpuMsPerCallback: number | null;
  /** The Worker's own counts (src/metering/), null when the run was not metered. */
  counts: MeterCounts | null;
  operations: OperationsPerCallback | null;
  cost: Cost | null;
}

/**
 * The mass dead-lettering scenario (bench/dead-letter-scenario.ts, added separately): every event listed under
 * GET /dead-letters, and the slowest request while it runs. Optional until that scenario is part of the run.
 */
export interface DeadLetterFigures {
  events: number;
  /** Dead-lettered events found in the list. */
  listed: number;
  maxRequestMs: number | null;
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
    /** Where the main runs' `--persist-to` lived: the system's temporary directory (disk) or /dev/shm. */
    persistence: "disk" | "tmpfs";
  };
  ingest: LoadFigures & { messages: number; accepted: number; duplicates: number };
  baseline: LoadFigures;
  /** ingest.requestsPerSec / baseline.requestsPerSec. */
  ratio: number;
  forwarding: ForwardingFigures & {
    unacknowledged: number;
    badSignatures: number;
    /** From the end of the load until the downstream had every expected event (or the drain timed out). */
    drainMs: number;
    lostSample: string[];
  };
  /** The floor Worker (bench/floor/) under the same load, on the main runs' persistence. */
  floor: LoadFigures & { accepted: number; duplicates: number; forwarding: ForwardingFigures };
  /** The floor and the receiver on disk and on /dev/shm (null: not run in this invocation). */
  throughput: { disk: ThroughputPass | null; tmpfs: ThroughputPass | null };
  /** CPU of the workerd process per callback answered (ms), on the main runs' persistence. */
  cpu: {
    baselineMsPerCallback: number | null;
    floorMsPerCallback: number | null;
    receiverMsPerCallback: number | null;
    /** receiver ÷ floor. */
    ratio: number | null;
  };
  /** Billable operations per callback of the floor, the receiver (one destination and the index) and three destinations. */
  metering: { floor: RunCost; receiver: RunCost; destinations: RunCost };
  /** The receiver with one destination and the index: what a million callbacks cost at list prices. */
  cost: Cost | null;
  /** A fresh receiver driven at half the saturated receiver's requests per second: what a user would see. */
  halfSaturation: { rate: number; ingest: LoadFigures; forwarding: ForwardingFigures };
  /** The mass dead-lettering scenario, when it ran. */
  deadLetters?: DeadLetterFigures;
  /** The deployable JavaScript: modules only; the console's static files (src/console/) are assets, not in it. */
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
    /**
     * The same three destinations driven at the one-destination half-saturation pass's rate; `lagP99Ratio` is
     * against that pass's lag p99 (absent in results written before it was measured).
     */
    halfSaturation?: {
      rate: number;
      ingest: LoadFigures & { accepted: number; duplicates: number };
      forwarding: DestinationsForwarding & { badSignatures: number; drainMs: number };
      lagP99Ratio: number | null;
    };
  };
  targets: TargetCheck[];
  /** Why the figures may not be trusted (empty when nothing looked wrong). */
  warnings: string[];
}

/** One target (issues #15 and #12) and whether this run met it. */
export interface TargetCheck {
  name: string;
  value: number | null;
  target: string;
  ok: boolean;
}
