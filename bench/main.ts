/**
 * The bench, step by step: bundle size; the baseline Worker under load; the floor Worker (bench/floor/) and the
 * receiver under the same load, each metered and forwarding to a local downstream, drained, with their CPU;
 * storage per message; the floor and the receiver again on /dev/shm; the same load against a receiver forwarding
 * to three destinations; one and three destinations at half the saturated rate; the mass dead-lettering; then
 * the table and the JSON result. Started by
 * bench/run.ts. Everything it starts binds 127.0.0.1, is bounded in time and is stopped at the end, on failure
 * and on Ctrl-C.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type Downstream, startDownstream } from "../harness/downstream.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { startBaseline } from "./baseline-process.ts";
import { runMassDeadLettering } from "./dead-letter-scenario.ts";
import type { BenchOptions } from "./lib/args.ts";
import {
  acksFor,
  BENCH_DESTINATIONS,
  destinationsVar,
  lagP99Ratio,
  matchDestinations,
} from "./lib/destinations.ts";
import { type Arrival, expectedEvents } from "./lib/lag.ts";
import { formatMarkdown } from "./lib/markdown.ts";
import { DEFAULT_MIX, messageIdOfKey } from "./lib/mix.ts";
import {
  type BenchResult,
  checkTargets,
  formatTable,
  type RunCost,
  runWarnings,
  type ThroughputPass,
} from "./lib/report.ts";
import { checkpointDatabases, directorySize, measureBundle } from "./measure.ts";
import {
  BENCH_DEFINE,
  type ForwardedRun,
  forwardingOf,
  persistRoot,
  runCost,
  runFloor,
  runOneDestination,
  tmpfsProblem,
} from "./runs.ts";
import { arrivalsAt, cleanUp, note, onCleanup, type RunSettings, runReceiver, runWorker } from "./steps.ts";

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
  label: string,
  options: BenchOptions,
  settings: RunSettings,
): Promise<Omit<BenchResult["destinations"], "lagP99Ratio"> & { cost: RunCost }> {
  const downstreams = new Map<string, Downstream>();
  const vars: Record<string, string> = { ...RECEIVER_VARS, BENCH_METERING: "on" };
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
    label,
    options,
    settings,
    { downstreamUrl: urls.archive ?? "", vars, define: BENCH_DEFINE },
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
    cost: runCost(run),
  };
}

/** The floor and the receiver (saturated, metered) on one persistence, one after the other. */
async function floorAndReceiver(options: BenchOptions, persistence: "disk" | "tmpfs") {
  const settings: RunSettings = { persistRoot: persistRoot(persistence), metered: true };
  const floor = await runFloor(`floor-${persistence}`, options, settings);
  const receiver = await runOneDestination(`receiver-${persistence}`, options, settings, RECEIVER_VARS);
  const pass: ThroughputPass = {
    floorRequestsPerSec: floor.run.ingest.figures.requestsPerSec,
    receiverRequestsPerSec: receiver.run.ingest.figures.requestsPerSec,
    ratio: ratioOf(receiver.run.ingest.figures.requestsPerSec, floor.run.ingest.figures.requestsPerSec),
    floorCpuMsPerCallback: floor.run.cpuMsPerCallback,
    receiverCpuMsPerCallback: receiver.run.cpuMsPerCallback,
  };
  return { floor, receiver, pass };
}

function ratioOf(a: number | null, b: number | null): number | null {
  return a !== null && b !== null && b > 0 ? a / b : null;
}

/** Every message a run stored: acknowledged, or forwarded (stored by a request in flight at the end). */
function messagesOf({ run, downstream }: ForwardedRun): number {
  const keys = [...expectedEvents(run.ingest.acks).keys(), ...arrivalsAt(downstream).map((a) => a.key)];
  return new Set(keys.map(messageIdOfKey)).size;
}

/** Runs the whole bench and returns its result (also written to `options.out`). */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  // Every wrangler dev process inherits this environment.
  process.env.X_LOCAL_OBSERVABILITY = LOCAL_OBSERVABILITY;
  const persistence = options.tmpfs ? "tmpfs" : "disk";
  const shm = await tmpfsProblem();
  if (shm && options.tmpfs) throw new Error(`--tmpfs: ${shm}`);
  if (shm) note(`no pass on /dev/shm: ${shm}`);
  note("building the bundle (wrangler deploy --dry-run)");
  const bundle = await measureBundle(REPO_ROOT);

  const main: RunSettings = { persistRoot: persistRoot(persistence), metered: false };
  const baseline = await runWorker("baseline", options, main, startBaseline, () => []);
  const { floor, receiver: one, pass } = await floorAndReceiver(options, persistence);
  const ingest = one.run.ingest;
  const storage = await measureStorage(one.run.persistTo);
  const forwarding = forwardingOf(one);
  const messages = messagesOf(one);
  const receiverCost = runCost(one.run, storage.after.bytes);
  const tmpfsPass = !options.tmpfs && !shm ? (await floorAndReceiver(options, "tmpfs")).pass : null;

  const three = await runThreeDestinations("destinations", options, { ...main, metered: true });
  const { cost: destinationsCost, ...destinations } = three;

  // Half the saturated rate, for twice as long (as many requests as a saturated run, so that the p99 rests on as
  // many samples): one destination, then three at the same rate, one right after the other. Their lag ratio is
  // #12's target: the fan-out's cost in the lag a user sees at equal load, where the saturated runs above measure
  // this machine's queue (ingest and forwarding share its cores).
  const rate = ingest.figures.requestsPerSec / 2;
  const halfOptions = { ...options, durationS: options.durationS * 2 };
  const half = await runOneDestination("half-saturation", halfOptions, { ...main, rate }, RECEIVER_VARS);
  const halfForwarding = forwardingOf(half);
  const threeHalf = await runThreeDestinations("destinations-half", halfOptions, { ...main, rate });

  // The failure path at volume: 5,000 events dying at once, listed across messages, at 8 callbacks in flight
  // (a load this machine answers well under 1 s when nothing dies).
  note("mass dead-lettering: 5,000 events to a destination that refuses them");
  const deadLetters = await runMassDeadLettering({ events: 5000, concurrency: 8 });

  const partial: Omit<BenchResult, "targets" | "warnings"> = {
    timestamp: new Date().toISOString(),
    machine: machine(),
    params: {
      duration: options.durationS,
      concurrency: options.concurrency,
      seed: options.seed,
      mix: DEFAULT_MIX,
      order:
        "baseline, floor, receiver" +
        (tmpfsPass ? ", floor and receiver on /dev/shm" : "") +
        ", receiver with three destinations saturated, then at the half-saturation rate (for twice the duration) the receiver with one destination and with three, mass dead-lettering (one after the other, never at the same time)",
      receiverVars: { ...RECEIVER_VARS, BENCH_METERING: "on" },
      localObservability: LOCAL_OBSERVABILITY,
      persistence,
    },
    ingest: {
      ...ingest.figures,
      messages: ingest.planned.messages,
      accepted: ingest.accepted,
      duplicates: ingest.duplicates,
    },
    baseline: baseline.ingest.figures,
    ratio: ratioOf(ingest.figures.requestsPerSec, baseline.ingest.figures.requestsPerSec) ?? 0,
    floor: {
      ...floor.run.ingest.figures,
      accepted: floor.run.ingest.accepted,
      duplicates: floor.run.ingest.duplicates,
      forwarding: forwardingOf(floor),
    },
    throughput: {
      disk: persistence === "disk" ? pass : null,
      tmpfs: persistence === "tmpfs" ? pass : tmpfsPass,
    },
    cpu: {
      baselineMsPerCallback: baseline.cpuMsPerCallback,
      floorMsPerCallback: floor.run.cpuMsPerCallback,
      receiverMsPerCallback: one.run.cpuMsPerCallback,
      ratio: ratioOf(one.run.cpuMsPerCallback, floor.run.cpuMsPerCallback),
    },
    metering: { floor: runCost(floor.run), receiver: receiverCost, destinations: destinationsCost },
    cost: receiverCost.cost,
    halfSaturation: { rate, ingest: half.run.ingest.figures, forwarding: halfForwarding },
    forwarding: {
      ...forwarding,
      badSignatures: one.downstream.requests().filter((request) => request.signature !== "ok").length,
      drainMs: one.run.drainMs,
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
    destinations: {
      ...destinations,
      lagP99Ratio: lagP99Ratio(destinations.forwarding.lagP99Ms, forwarding.lagP99Ms),
      halfSaturation: {
        rate,
        ingest: threeHalf.ingest,
        forwarding: threeHalf.forwarding,
        lagP99Ratio: lagP99Ratio(threeHalf.forwarding.lagP99Ms, halfForwarding.lagP99Ms),
      },
    },
    deadLetters,
  };
  const result: BenchResult = { ...partial, targets: checkTargets(partial), warnings: runWarnings(partial) };
  const out = resolve(REPO_ROOT, options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(out.replace(/\.json$/, ".md"), formatMarkdown(result));
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
