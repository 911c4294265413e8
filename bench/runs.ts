/**
 * The bench's runs against one downstream each, on a given persistence: the floor Worker (bench/floor/) and the
 * receiver with one destination, each metered; and what one run gives the result (forwarding figures, operations
 * and cost per callback). The three-destination run stays in main.ts.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Downstream, startDownstream } from "../harness/downstream.ts";
import { ADMIN_TOKEN, CALLBACK_CREDENTIALS, DOWNSTREAM_SECRET } from "../harness/receiver.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { startBenchWorker } from "./baseline-process.ts";
import type { BenchOptions } from "./lib/args.ts";
import { costPerMillion, operationsPerCallback, type PriceTable } from "./lib/cost.ts";
import { expectedEvents, matchForwarding } from "./lib/lag.ts";
import { summarize } from "./lib/percentiles.ts";
import type { ForwardingFigures, RunCost } from "./lib/result.ts";
import { arrivalsAt, onCleanup, type RunSettings, runReceiver, runWorker, type WorkerRun } from "./steps.ts";

/** What the bench's receivers are built with: the metering compiled in (wrangler.toml compiles it out). */
export const BENCH_DEFINE: Readonly<Record<string, string>> = { __BENCH_METERING__: "true" };

/** Where memory-backed `--persist-to` directories go. */
export const TMPFS_ROOT = "/dev/shm";

/** The dated list prices (bench/prices.json). */
export const PRICES = JSON.parse(readFileSync(join(REPO_ROOT, "bench/prices.json"), "utf8")) as PriceTable;

/** Whether /dev/shm exists and takes a directory; the reason when not. */
export async function tmpfsProblem(): Promise<string | undefined> {
  try {
    const dir = await mkdtemp(join(TMPFS_ROOT, "bench-check-"));
    await rm(dir, { recursive: true, force: true });
    return undefined;
  } catch (error) {
    return `${TMPFS_ROOT} is not a writable memory file system here (${String(error)})`;
  }
}

/** The directory temporary `--persist-to` directories of a persistence go in. */
export function persistRoot(persistence: "disk" | "tmpfs"): string {
  return persistence === "tmpfs" ? TMPFS_ROOT : tmpdir();
}

/** A run with its own downstream (runs reuse the seed, so they send the same events). */
export interface ForwardedRun {
  run: WorkerRun;
  downstream: Downstream;
}

async function ownDownstream(): Promise<Downstream> {
  const downstream = await startDownstream(DOWNSTREAM_SECRET);
  onCleanup(() => downstream.close());
  return downstream;
}

/** The floor Worker, metered, forwarding to a downstream of its own. */
export async function runFloor(
  label: string,
  options: BenchOptions,
  settings: RunSettings,
): Promise<ForwardedRun> {
  const downstream = await ownDownstream();
  const vars = {
    CALLBACK_USERNAME: CALLBACK_CREDENTIALS.username,
    CALLBACK_PASSWORD: CALLBACK_CREDENTIALS.password,
    ADMIN_TOKEN,
    DOWNSTREAM_URL: downstream.url,
    DOWNSTREAM_SECRET,
    BENCH_METERING: settings.metered ? "on" : "off",
  };
  const run = await runWorker(
    label,
    options,
    settings,
    (persistTo) => startBenchWorker("bench/floor/wrangler.toml", persistTo, vars),
    (ingest) => [{ downstream, expected: new Set(expectedEvents(ingest.acks).keys()) }],
  );
  return { run, downstream };
}

/** The receiver with one destination (and its index), forwarding to a downstream of its own. */
export async function runOneDestination(
  label: string,
  options: BenchOptions,
  settings: RunSettings,
  vars: Record<string, string>,
): Promise<ForwardedRun> {
  const downstream = await ownDownstream();
  const run = await runReceiver(
    label,
    options,
    settings,
    {
      downstreamUrl: downstream.url,
      vars: { ...vars, BENCH_METERING: settings.metered ? "on" : "off" },
      define: BENCH_DEFINE,
    },
    (ingest) => [{ downstream, expected: new Set(expectedEvents(ingest.acks).keys()) }],
  );
  return { run, downstream };
}

/** Forwarding figures of a run: its acknowledgements matched against its downstream's arrivals. */
export function forwardingOf({ run, downstream }: ForwardedRun): ForwardingFigures & {
  unacknowledged: number;
  lostSample: string[];
} {
  const match = matchForwarding(run.ingest.acks, arrivalsAt(downstream));
  const lag = summarize(match.lagsMs);
  return {
    lagP50Ms: lag.p50,
    lagP90Ms: lag.p90,
    lagP99Ms: lag.p99,
    lagMaxMs: lag.max,
    expected: match.expected,
    received: match.received,
    lost: match.lost,
    duplicateDeliveries: match.duplicateDeliveries,
    unacknowledged: match.unacknowledged,
    lostSample: match.lostSample,
  };
}

/** Operations and cost per callback of a run; `storageBytes` (its persist directory) prices a month of storage. */
export function runCost(run: WorkerRun, storageBytes: number | null = null): RunCost {
  const callbacks = run.ingest.figures.completed;
  const operations = run.metering
    ? operationsPerCallback(run.metering, callbacks, run.cpuMsPerCallback)
    : null;
  const perCallback = storageBytes !== null && callbacks > 0 ? storageBytes / callbacks : null;
  return {
    callbacks,
    cpuMsPerCallback: run.cpuMsPerCallback,
    counts: run.metering,
    operations,
    cost: operations ? costPerMillion(operations, PRICES, perCallback) : null,
  };
}
