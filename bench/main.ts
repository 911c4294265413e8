/**
 * The bench, step by step: bundle size; the baseline Worker under load; the receiver under the same load with a
 * local downstream; the drain until the downstream has every acknowledged event; storage per message; then the
 * table and the JSON result. Started by bench/run.ts. Everything it starts binds 127.0.0.1, is bounded in time
 * and is stopped at the end, on failure and on Ctrl-C.
 */
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type Downstream, startDownstream } from "../harness/downstream.ts";
import { startNode } from "../harness/processes.ts";
import {
  CALLBACK_CREDENTIALS,
  DOWNSTREAM_SECRET,
  type Receiver,
  startReceiver,
} from "../harness/receiver.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { sleep } from "../harness/wait.ts";
import { startBaseline } from "./baseline-process.ts";
import type { BenchOptions } from "./lib/args.ts";
import { type Arrival, expectedEvents, matchForwarding } from "./lib/lag.ts";
import { DEFAULT_MIX, eventKey, messageIdOfKey } from "./lib/mix.ts";
import { summarize } from "./lib/percentiles.ts";
import { type BenchResult, checkTargets, formatTable, runWarnings } from "./lib/report.ts";
import type { LoadJob, LoadOutput } from "./load.ts";
import { checkpointDatabases, directorySize, measureBundle } from "./measure.ts";

/** The receiver runs with the production defaults of wrangler.toml, not the e2e harness's fast retries. */
const RECEIVER_VARS: Record<string, string> = {
  FORWARD_TIMEOUT_MS: "10000",
  FORWARD_BACKOFF_BASE_MS: "1000",
  FORWARD_BACKOFF_MAX_MS: "600000",
};
/**
 * wrangler dev's local trace collector (X_LOCAL_OBSERVABILITY, on by default) tails every request of both
 * Workers into a SQLite store inside --persist-to: development tooling that production does not run on the
 * Worker's thread. The bench turns it off for both unless the caller set it.
 */
const LOCAL_OBSERVABILITY = process.env.X_LOCAL_OBSERVABILITY ?? "false";
/** Time the load process gets beyond its duration before it is killed. */
const LOAD_GRACE_MS = 60_000;

type Cleanup = () => Promise<void>;
const cleanups: Cleanup[] = [];

/** Registers `cleanup` to run (last registered first) at the end, on failure and on Ctrl-C. */
function onCleanup(cleanup: Cleanup): Cleanup {
  let done = false;
  const once = async () => {
    if (done) return;
    done = true;
    await cleanup();
  };
  cleanups.push(once);
  return once;
}

async function cleanUp(): Promise<void> {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
    await cleanup().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
  }
}

function note(text: string): void {
  console.error(`[bench] ${text}`);
}

function basicAuthorization(): string {
  const { username, password } = CALLBACK_CREDENTIALS;
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** Runs bench/load.ts against `url` in a separate Node process and reads what it wrote. */
async function runLoad(label: string, url: string, options: BenchOptions): Promise<LoadOutput> {
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

function arrivalsAt(downstream: Downstream): Arrival[] {
  return downstream.requests().flatMap((request) => {
    const data = request.event?.data;
    if (!data) return [];
    const key = eventKey(String(data.messageId), String(data.bandwidthType), String(data.recipient));
    return [{ key, at: request.receivedAt }];
  });
}

/** Waits until the downstream has every expected event, or `timeoutMs` passed; returns how long it waited. */
async function drain(
  downstream: Downstream,
  expected: ReadonlySet<string>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  const seen = new Set<string>();
  let read = 0;
  for (let round = 0; Date.now() - started < timeoutMs && round < 100_000; round++) {
    const requests = downstream.requests();
    for (; read < requests.length; read++) {
      const data = requests[read]?.event?.data;
      if (data)
        seen.add(eventKey(String(data.messageId), String(data.bandwidthType), String(data.recipient)));
    }
    let missing = 0;
    for (const key of expected) if (!seen.has(key)) missing++;
    if (missing === 0) return Date.now() - started;
    if (round % 25 === 0) note(`draining: ${missing} of ${expected.size} events not forwarded yet`);
    await sleep(200);
  }
  return Date.now() - started;
}

/**
 * The persistence directory before and after checkpointing its SQLite WALs, and the mean size of one message's
 * own database (the MessageTracker namespace's files, without its shared alarm index `metadata.sqlite`).
 */
async function measureStorage(persistTo: string) {
  const before = await directorySize(persistTo);
  await checkpointDatabases(persistTo);
  const after = await directorySize(persistTo);
  const doRoot = join(persistTo, "v3/do");
  const trackerDirs = (await readdir(doRoot).catch(() => [])).filter((name) =>
    name.endsWith("-MessageTracker"),
  );
  let databases = 0;
  let databaseBytes = 0;
  for (const name of trackerDirs) {
    for (const file of await readdir(join(doRoot, name))) {
      if (!file.endsWith(".sqlite") || file === "metadata.sqlite") continue;
      databases++;
      databaseBytes += (await stat(join(doRoot, name, file))).size;
    }
  }
  return { before, after, perDatabase: databases > 0 ? Math.round(databaseBytes / databases) : 0 };
}

/** The machine and versions a run used. */
export function machine(): BenchResult["machine"] {
  const version = (pkg: string) =>
    (
      JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", pkg, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? "unknown",
    nodeVersion: process.version,
    wranglerVersion: version("wrangler"),
    workerdVersion: version("workerd"),
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Runs the whole bench and returns its result (also written to `options.out`). */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  // Both wrangler dev processes inherit this environment.
  process.env.X_LOCAL_OBSERVABILITY = LOCAL_OBSERVABILITY;
  note("building the bundle (wrangler deploy --dry-run)");
  const bundle = await measureBundle(REPO_ROOT);

  const downstream = await startDownstream(DOWNSTREAM_SECRET);
  onCleanup(() => downstream.close());

  note("baseline: starting bench/baseline with wrangler dev");
  const baselinePersist = await mkdtemp(join(tmpdir(), "bench-baseline-"));
  onCleanup(() => rm(baselinePersist, { recursive: true, force: true }));
  const baselineWorker = await startBaseline(baselinePersist);
  const stopBaseline = onCleanup(() => baselineWorker.stop());
  note(`baseline: ${options.durationS} s at ${options.concurrency} connections`);
  const baseline = await runLoad("baseline", `${baselineWorker.baseUrl}/callbacks/messaging`, options);
  await stopBaseline();

  note("receiver: starting wrangler dev with a local downstream");
  const persistTo = await mkdtemp(join(tmpdir(), "bench-receiver-"));
  onCleanup(() => rm(persistTo, { recursive: true, force: true }));
  const receiver: Receiver = await startReceiver({
    downstreamUrl: downstream.url,
    persistTo,
    vars: RECEIVER_VARS,
  });
  const stopReceiver = onCleanup(() => receiver.stop());
  note(`receiver: ${options.durationS} s at ${options.concurrency} connections`);
  const ingest = await runLoad("receiver", `${receiver.baseUrl}/callbacks/messaging`, options);

  const expected = expectedEvents(ingest.acks);
  note(`receiver: waiting up to ${options.drainTimeoutS} s for ${expected.size} events downstream`);
  const drainMs = await drain(downstream, new Set(expected.keys()), options.drainTimeoutS * 1000);
  await stopReceiver();
  const storage = await measureStorage(persistTo);

  const arrivals = arrivalsAt(downstream);
  const match = matchForwarding(ingest.acks, arrivals);
  const lag = summarize(match.lagsMs);
  // Every message the receiver stored: acknowledged, or forwarded (stored by a request in flight at the end).
  const messages = new Set(
    [...expected.keys(), ...arrivals.map((arrival) => arrival.key)].map(messageIdOfKey),
  ).size;
  const partial: Omit<BenchResult, "targets" | "warnings"> = {
    timestamp: new Date().toISOString(),
    machine: machine(),
    params: {
      duration: options.durationS,
      concurrency: options.concurrency,
      seed: options.seed,
      mix: DEFAULT_MIX,
      order: "baseline first, then the receiver (never at the same time)",
      receiverVars: RECEIVER_VARS,
      localObservability: LOCAL_OBSERVABILITY,
    },
    ingest: {
      ...ingest.figures,
      messages: ingest.planned.messages,
      accepted: ingest.accepted,
      duplicates: ingest.duplicates,
    },
    baseline: baseline.figures,
    ratio:
      baseline.figures.requestsPerSec > 0
        ? ingest.figures.requestsPerSec / baseline.figures.requestsPerSec
        : 0,
    forwarding: {
      lagP50Ms: lag.p50,
      lagP90Ms: lag.p90,
      lagP99Ms: lag.p99,
      lagMaxMs: lag.max,
      expected: match.expected,
      received: match.received,
      lost: match.lost,
      duplicateDeliveries: match.duplicateDeliveries,
      unacknowledged: match.unacknowledged,
      badSignatures: downstream.requests().filter((request) => request.signature !== "ok").length,
      drainMs,
      lostSample: match.lostSample,
    },
    bundle,
    storage: {
      bytes: storage.after.bytes,
      files: storage.after.files,
      messages,
      bytesPerMessage: messages > 0 ? Math.round(storage.after.bytes / messages) : 0,
      messageDatabaseBytes: storage.perDatabase,
      beforeCheckpoint: { bytes: storage.before.bytes, walBytes: storage.before.walBytes },
      measured:
        "the whole --persist-to directory after the drain, after wrangler dev was stopped (SIGTERM), " +
        "with every SQLite WAL checkpointed (workerd leaves them un-checkpointed when stopped)",
    },
  };
  const result: BenchResult = { ...partial, targets: checkTargets(partial), warnings: runWarnings(partial) };
  const out = resolve(REPO_ROOT, options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatTable(result));
  console.log(`\nwritten to ${options.out}`);
  return result;
}

/** Runs the bench, cleaning up on success, failure, SIGINT and SIGTERM; returns the exit code. */
export async function main(options: BenchOptions): Promise<number> {
  const interrupted = new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      note(`${signal}: stopping everything the bench started`);
      resolve(130);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  try {
    return await Promise.race([runBench(options).then(() => 0), interrupted]);
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  } finally {
    await cleanUp();
  }
}
