/**
 * The bench's steps that start processes, shared by its runs: the cleanup list everything started joins, the
 * load process, the drain until the downstreams have every expected event, and one receiver run (start, drive,
 * drain, stop). Everything binds 127.0.0.1 and is bounded in time.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Downstream } from "../harness/downstream.ts";
import { startNode } from "../harness/processes.ts";
import { CALLBACK_CREDENTIALS, startReceiver } from "../harness/receiver.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { sleep } from "../harness/wait.ts";
import type { BenchOptions } from "./lib/args.ts";
import type { Arrival } from "./lib/lag.ts";
import { DEFAULT_MIX, eventKey } from "./lib/mix.ts";
import type { LoadJob, LoadOutput } from "./load.ts";

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
export async function runLoad(label: string, url: string, options: BenchOptions): Promise<LoadOutput> {
  const out = join(REPO_ROOT, "bench/results", `${label}-${process.pid}.tmp`);
  const job: LoadJob = {
    url,
    durationS: options.durationS,
    concurrency: options.concurrency,
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

/** What one receiver run gives: the load's output, how long the drain took, and its `--persist-to`. */
export interface ReceiverRun {
  ingest: LoadOutput;
  drainMs: number;
  persistTo: string;
}

/**
 * Starts a receiver with `vars` (in a temporary `--persist-to`), drives it with the load, waits until the
 * downstreams have what `targetsOf` expects from the acknowledgements, and stops it (SIGTERM).
 */
export async function runReceiver(
  label: string,
  options: BenchOptions,
  receiverOptions: { downstreamUrl: string; vars: Record<string, string> },
  targetsOf: (ingest: LoadOutput) => DrainTarget[],
): Promise<ReceiverRun> {
  note(`${label}: starting wrangler dev`);
  const persistTo = await mkdtemp(join(tmpdir(), `bench-${label}-`));
  onCleanup(() => rm(persistTo, { recursive: true, force: true }));
  const receiver = await startReceiver({ ...receiverOptions, persistTo });
  const stopReceiver = onCleanup(() => receiver.stop());
  note(`${label}: ${options.durationS} s at ${options.concurrency} connections`);
  const ingest = await runLoad(label, `${receiver.baseUrl}/callbacks/messaging`, options);
  const targets = targetsOf(ingest);
  const deliveries = targets.reduce((total, target) => total + target.expected.size, 0);
  note(`${label}: waiting up to ${options.drainTimeoutS} s for ${deliveries} deliveries downstream`);
  const drainMs = await drain(targets, options.drainTimeoutS * 1000);
  await stopReceiver();
  return { ingest, drainMs, persistTo };
}
