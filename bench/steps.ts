/**
 * The bench's steps that start processes, shared by its runs: the cleanup list everything started joins, the
 * load process, the drain until the downstreams have every expected event, and one Worker run (start, sample
 * CPU and reset the metering, drive, drain, read both, stop). Everything binds 127.0.0.1 and is bounded in time.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Downstream } from "../harness/downstream.ts";
import { startNode } from "../harness/processes.ts";
import { CALLBACK_CREDENTIALS, type ReceiverOptions, startReceiver } from "../harness/receiver.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { sleep } from "../harness/wait.ts";
import type { MeterCounts } from "../src/metering/counts.ts";
import { sampleWorkerdCpu } from "./cpu.ts";
import type { BenchOptions } from "./lib/args.ts";
import { cpuMsPerCallback } from "./lib/cpu.ts";
import type { Arrival } from "./lib/lag.ts";
import { DEFAULT_MIX, eventKey } from "./lib/mix.ts";
import type { LoadJob, LoadOutput } from "./load.ts";
import { resetMetering, settledMetering } from "./metering-client.ts";

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];

/** Time the load process gets beyond its duration before it is killed. */
const LOAD_GRACE_MS = 60_000;

/** Registers `cleanup` to run (last registered first) at the end, on failure and on Ctrl-C. */
export function onCleanup(cleanup: Cleanup): Cleanup {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    await cleanup();
  };
  cleanups.push(once);
  return once;
}

/** Runs every registered cleanup, last registered first. */
export async function cleanUp(): Promise<void> {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
    await cleanup().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
  }
}

/** A progress line on stderr. */
export function note(text: string): void {
  console.error(`[bench] ${text}`);
}

function basicAuthorization(): string {
  const { username, password } = CALLBACK_CREDENTIALS;
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** Runs bench/load.ts against `url` in a separate Node process and reads what it wrote. */
export async function runLoad(
  label: string,
  url: string,
  options: BenchOptions,
  rate?: number,
): Promise<LoadOutput> {
  const out = join(REPO_ROOT, "bench/results", `${label}-${process.pid}.tmp`);
  const job: LoadJob = {
    url,
    durationS: options.durationS,
    concurrency: options.concurrency,
    ...(rate ? { rate } : {}),
    seed: options.seed,
    mix: DEFAULT_MIX,
    authorization: basicAuthorization(),
    out,
  };
  const child = startNode([join(REPO_ROOT, "bench/load.ts"), JSON.stringify(job)], { stdio: "inherit" });
  const stopChild = onCleanup(() => child.stop({ signal: "SIGKILL" }));
  const removeOut = onCleanup(() => rm(out, { force: true }));
  const timer = setTimeout(() => child.killNow(), options.durationS * 1000 + LOAD_GRACE_MS);
  const exit = await child.exited;
  clearTimeout(timer);
  const code = exit.code ?? exit.signal ?? "unknown";
  await stopChild();
  if (code !== 0) throw new Error(`the load process for ${label} ended with ${code}`);
  const output = JSON.parse(await readFile(out, "utf8")) as LoadOutput;
  await removeOut();
  return output;
}

/** What `downstream` received, as event keys with arrival times. */
export function arrivalsAt(downstream: Downstream): Arrival[] {
  return downstream.requests().flatMap((request) => {
    const data = request.event?.data;
    if (!data) return [];
    const key = eventKey(String(data.messageId), String(data.bandwidthType), String(data.recipient));
    return [{ key, at: request.receivedAt }];
  });
}

/** One downstream and the event keys it must receive. */
export interface DrainTarget {
  downstream: Downstream;
  expected: ReadonlySet<string>;
}

/** Waits until every downstream has every event it expects, or `timeoutMs` passed; returns how long it waited. */
export async function drain(targets: readonly DrainTarget[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  const expected = targets.reduce((total, target) => total + target.expected.size, 0);
  for (let round = 0; Date.now() - started < timeoutMs && round < 100_000; round++) {
    let missing = 0;
    for (const { downstream, expected } of targets) {
      const seen = new Set(arrivalsAt(downstream).map((arrival) => arrival.key));
      for (const key of expected) if (!seen.has(key)) missing++;
    }
    if (missing === 0) return Date.now() - started;
    if (round % 25 === 0) note(`draining: ${missing} of ${expected} deliveries not made yet`);
    await sleep(200);
  }
  return Date.now() - started;
}

/** A Worker started for one run. */
export interface RunTarget {
  baseUrl: string;
  /** Its `wrangler dev` process group. */
  pgid: number;
  stop(): Promise<void>;
}

/** How one run goes: where its `--persist-to` lives, whether it is metered, and an optional fixed rate. */
export interface RunSettings {
  /** The directory its temporary `--persist-to` is made in (the system's temporary directory, or /dev/shm). */
  persistRoot: string;
  /** Whether the Worker runs with BENCH_METERING "on" (its counts are reset before the load and read after). */
  metered: boolean;
  /** Requests per second across all connections; absent: as fast as answered. */
  rate?: number;
}

/** What one run gives: the load's output, the drain, its `--persist-to`, its CPU and its metered counts. */
export interface WorkerRun {
  ingest: LoadOutput;
  drainMs: number;
  persistTo: string;
  /** The workerd processes' CPU from just before the load to the end of the drain, per callback answered. */
  cpuMsPerCallback: number | null;
  metering: MeterCounts | null;
}

/**
 * Starts a Worker (in a temporary `--persist-to`), drives it with the load, waits until the downstreams have what
 * `targetsOf` expects from the acknowledgements, reads its CPU and counts, and stops it (SIGTERM).
 */
export async function runWorker(
  label: string,
  options: BenchOptions,
  settings: RunSettings,
  start: (persistTo: string) => Promise<RunTarget>,
  targetsOf: (ingest: LoadOutput) => DrainTarget[],
): Promise<WorkerRun> {
  note(`${label}: starting wrangler dev`);
  const persistTo = await mkdtemp(join(settings.persistRoot, `bench-${label}-`));
  onCleanup(() => rm(persistTo, { recursive: true, force: true }));
  const worker = await start(persistTo);
  const stopWorker = onCleanup(() => worker.stop());
  if (settings.metered) await resetMetering(worker.baseUrl);
  const cpuBefore = await sampleWorkerdCpu(worker.pgid);
  const pace = settings.rate ? ` at ${Math.round(settings.rate)} requests/s` : "";
  note(`${label}: ${options.durationS} s at ${options.concurrency} connections${pace}`);
  const ingest = await runLoad(label, `${worker.baseUrl}/callbacks/messaging`, options, settings.rate);
  const targets = targetsOf(ingest);
  const deliveries = targets.reduce((total, target) => total + target.expected.size, 0);
  let drainMs = 0;
  if (deliveries > 0) {
    note(`${label}: waiting up to ${options.drainTimeoutS} s for ${deliveries} deliveries downstream`);
    drainMs = await drain(targets, options.drainTimeoutS * 1000);
  }
  const metering = settings.metered ? await settledMetering(worker.baseUrl) : null;
  const cpuAfter = await sampleWorkerdCpu(worker.pgid);
  await stopWorker();
  return {
    ingest,
    drainMs,
    persistTo,
    cpuMsPerCallback: cpuMsPerCallback(cpuBefore, cpuAfter, ingest.figures.completed),
    metering,
  };
}

/** One receiver run (harness/receiver.ts) through {@link runWorker}. */
export function runReceiver(
  label: string,
  options: BenchOptions,
  settings: RunSettings,
  receiverOptions: Omit<ReceiverOptions, "persistTo">,
  targetsOf: (ingest: LoadOutput) => DrainTarget[],
): Promise<WorkerRun> {
  return runWorker(
    label,
    options,
    settings,
    (persistTo) => startReceiver({ ...receiverOptions, persistTo }),
    targetsOf,
  );
}
