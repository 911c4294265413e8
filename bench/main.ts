/**
 * The bench, step by step: bundle size; the baseline Worker under load; the receiver under the same load with a
 * local downstream; the drain until the downstream has every acknowledged event; storage per message; the same
 * load against a receiver forwarding to three destinations (three local downstreams); then the table and the
 * JSON result. Started by bench/run.ts. Everything it starts binds 127.0.0.1, is bounded in time and is stopped
 * at the end, on failure and on Ctrl-C.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type Downstream, startDownstream } from "../harness/downstream.ts";
import { DOWNSTREAM_SECRET } from "../harness/receiver.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { startBaseline } from "./baseline-process.ts";
import type { BenchOptions } from "./lib/args.ts";
import {
  acksFor,
  BENCH_DESTINATIONS,
  destinationsVar,
  lagP99Ratio,
  matchDestinations,
} from "./lib/destinations.ts";
import { type Arrival, expectedEvents, matchForwarding } from "./lib/lag.ts";
import { DEFAULT_MIX, messageIdOfKey } from "./lib/mix.ts";
import { summarize } from "./lib/percentiles.ts";
import { type BenchResult, checkTargets, formatTable, runWarnings } from "./lib/report.ts";
import { checkpointDatabases, directorySize, measureBundle } from "./measure.ts";
import { arrivalsAt, cleanUp, note, onCleanup, runLoad, runReceiver } from "./steps.ts";

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

/**
 * The same load against a receiver forwarding to the three HTTP destinations of bench/lib/destinations.ts, each
 * a local downstream verifying its own secret; the figures are per delivery (one event to one destination).
 */
async function runThreeDestinations(
  options: BenchOptions,
): Promise<Omit<BenchResult["destinations"], "lagP99Ratio">> {
  const downstreams = new Map<string, Downstream>();
  const vars: Record<string, string> = { ...RECEIVER_VARS };
  for (const { name } of BENCH_DESTINATIONS) {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const downstream = await startDownstream(secret);
    onCleanup(() => downstream.close());
    downstreams.set(name, downstream);
    vars[`DESTINATION_SECRET_${name.toUpperCase()}`] = secret;
  }
  const urls = Object.fromEntries([...downstreams].map(([name, downstream]) => [name, downstream.url]));
  vars.DESTINATIONS = destinationsVar(BENCH_DESTINATIONS, urls);
  const run = await runReceiver(
    "destinations",
    options,
    { downstreamUrl: urls.archive ?? "", vars },
    (ingest) =>
      BENCH_DESTINATIONS.flatMap((destination) => {
        const downstream = downstreams.get(destination.name);
        const expected = new Set(expectedEvents(acksFor(ingest.acks, destination)).keys());
        return downstream ? [{ downstream, expected }] : [];
      }),
  );
  const arrivals = new Map<string, Arrival[]>(
    [...downstreams].map(([name, downstream]) => [name, arrivalsAt(downstream)]),
  );
  const requests = [...downstreams.values()].flatMap((downstream) => downstream.requests());
  return {
    ingest: { ...run.ingest.figures, accepted: run.ingest.accepted, duplicates: run.ingest.duplicates },
    forwarding: {
      ...matchDestinations(run.ingest.acks, arrivals),
      badSignatures: requests.filter((request) => request.signature !== "ok").length,
      drainMs: run.drainMs,
    },
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

  const one = await runReceiver(
    "receiver",
    options,
    { downstreamUrl: downstream.url, vars: RECEIVER_VARS },
    (ingest) => [{ downstream, expected: new Set(expectedEvents(ingest.acks).keys()) }],
  );
  const { ingest } = one;
  const storage = await measureStorage(one.persistTo);
  const arrivals = arrivalsAt(downstream);
  const match = matchForwarding(ingest.acks, arrivals);
  const lag = summarize(match.lagsMs);
  // Every message the receiver stored: acknowledged, or forwarded (stored by a request in flight at the end).
  const expected = expectedEvents(ingest.acks);
  const messages = new Set(
    [...expected.keys(), ...arrivals.map((arrival) => arrival.key)].map(messageIdOfKey),
  ).size;

  const three = await runThreeDestinations(options);
  const destinationsLagP99 = three.forwarding.lagP99Ms;

  const partial: Omit<BenchResult, "targets" | "warnings"> = {
    timestamp: new Date().toISOString(),
    machine: machine(),
    params: {
      duration: options.durationS,
      concurrency: options.concurrency,
      seed: options.seed,
      mix: DEFAULT_MIX,
      order:
        "baseline first, then the receiver, then the receiver with three destinations (never at the same time)",
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
      drainMs: one.drainMs,
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
    destinations: { ...three, lagP99Ratio: lagP99Ratio(destinationsLagP99, lag.p99) },
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
