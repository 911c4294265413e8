/**
 * `npm run bench -- --scenario index`: the speed of GET /messages and GET /stats over a message index of
 * 100,000 messages, against `wrangler dev`. The index is filled through a bench-only path (generated SQL run
 * by `wrangler d1 execute --local --file` into the receiver's `--persist-to`), never through a route; then each
 * query is timed, round-robin, one request at a time. Writes bench/results/index.json.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { applyLocalMigrations, executeLocalSql, shardedConfig } from "../harness/message-index.ts";
import { ADMIN_TOKEN, type Receiver, startReceiver } from "../harness/receiver.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { chooseShard } from "../src/message/index-placement.ts";
import type { BenchOptions } from "./lib/args.ts";
import { bulkInsertSql, generateIndexRows, type IndexDataProbes, probesOf } from "./lib/index-data.ts";
import {
  figuresOf,
  formatIndexTable,
  type IndexBenchResult,
  indexTargets,
  type QueryTimings,
} from "./lib/index-report.ts";
import { machine } from "./main.ts";

const DAY_MS = 86_400_000;
const SPAN_DAYS = 7;
/** Requests per query (after one warm-up round). */
const ROUNDS = 40;
/** Messages per generated SQL file (one `wrangler d1 execute` each). */
const MESSAGES_PER_FILE = 25_000;

function note(text: string): void {
  console.error(`[bench index] ${text}`);
}

/** The search queries: each filter alone, a combination, a later page, the largest page. */
function searchQueries(probes: IndexDataProbes, now: number): Record<string, string> {
  const since = (ms: number) => new Date(now - ms).toISOString();
  return {
    newest: "limit=50",
    "status=failed": "status=failed",
    "direction=inbound": "direction=inbound",
    applicationId: `applicationId=${probes.applicationId}`,
    from: `from=${encodeURIComponent(probes.from)}`,
    to: `to=${encodeURIComponent(probes.to)}`,
    tag: `tag=${probes.tag}`,
    "errorCode=4720": "errorCode=4720",
    "errorCode=9999": "errorCode=9999",
    "since/until 1 h": `since=${since(3 * 3_600_000)}&until=${since(2 * 3_600_000)}`,
    combined: `applicationId=${probes.applicationId}&status=delivered&since=${since(DAY_MS)}`,
    "limit=500": "limit=500",
  };
}

function statsQueries(probes: IndexDataProbes): Record<string, string> {
  return {
    "24h": "",
    "24h by=hour": "by=hour",
    "24h by=errorCode": "by=errorCode",
    "24h by=carrier": "by=carrier",
    "24h by=applicationId": "by=applicationId",
    "24h applicationId": `applicationId=${probes.applicationId}`,
    "7d by=day": `since=${new Date(Date.now() - SPAN_DAYS * DAY_MS).toISOString()}&by=day`,
  };
}

/** The wrangler config with the index's shards, written beside wrangler.toml (git-ignored) for a run of several. */
const SHARDED_CONFIG = "wrangler.bench-index.toml";

/**
 * Fills the local index of `persistTo` with the plan's rows through generated SQL files, each message in the
 * shard the receiver would choose for it; returns how long.
 */
async function fillIndex(persistTo: string, options: BenchOptions, now: number, shards: readonly string[]) {
  const rows = generateIndexRows({
    messages: options.messages,
    seed: options.seed,
    end: now,
    spanMs: SPAN_DAYS * DAY_MS,
  });
  const dir = await mkdtemp(join(tmpdir(), "bench-index-sql-"));
  const started = Date.now();
  try {
    for (const binding of shards) {
      const mine = rows.filter((row) => chooseShard(row.summary.id, shards) === binding);
      for (let at = 0; at < mine.length; at += MESSAGES_PER_FILE) {
        const file = join(dir, `rows-${binding}-${at}.sql`);
        await writeFile(file, bulkInsertSql(mine.slice(at, at + MESSAGES_PER_FILE)));
        note(
          `loading ${binding}'s messages ${at + 1}–${Math.min(at + MESSAGES_PER_FILE, mine.length)} of ${mine.length} (wrangler d1 execute --local --file)`,
        );
        const config = shards.length > 1 ? { config: SHARDED_CONFIG } : {};
        await executeLocalSql(file, persistTo, 600_000, { binding, ...config });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const recipientRows = rows.reduce((sum, row) => sum + row.recipients.length, 0);
  return { probes: probesOf(rows), recipientRows, loadMs: Date.now() - started };
}

/** One timed GET; returns its latency and the rows of its answer. */
async function timed(receiver: Receiver, path: string): Promise<{ ms: number; rows: number }> {
  const started = performance.now();
  const response = await fetch(`${receiver.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { messages?: unknown[]; outbound?: { recipients: number } };
  const ms = performance.now() - started;
  if (response.status !== 200)
    throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(body)}`);
  return { ms, rows: body.messages?.length ?? body.outbound?.recipients ?? 0 };
}

/** Times every query `ROUNDS` times, round-robin so that a slow moment of the machine spreads over all. */
async function measure(
  receiver: Receiver,
  queries: Record<string, string>,
  base: string,
): Promise<QueryTimings[]> {
  const timings = Object.entries(queries).map(([name, query]) => ({
    name,
    path: `${base}${query ? `?${query}` : ""}`,
    latenciesMs: [] as number[],
    rows: 0,
  }));
  for (const timing of timings) await timed(receiver, timing.path);
  for (let round = 0; round < ROUNDS; round++) {
    for (const timing of timings) {
      const { ms, rows } = await timed(receiver, timing.path);
      timing.latenciesMs.push(ms);
      timing.rows = rows;
    }
  }
  return timings;
}

/** The bytes of every D1 database file (SQLite, WAL included) under `persistTo`: the index's size, all shards. */
async function indexBytes(persistTo: string): Promise<number> {
  const dir = join(persistTo, "v3", "d1");
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let bytes = 0;
  for (const entry of entries) {
    if (entry.isFile() && /\.sqlite(-wal)?$/.test(entry.name)) {
      bytes += (await stat(join(entry.parentPath, entry.name))).size;
    }
  }
  return bytes;
}

async function runIndexBench(options: BenchOptions, persistTo: string, stopping: { receiver?: Receiver }) {
  // As in the ingest scenario: wrangler's local trace collector is development tooling production does not run.
  process.env.X_LOCAL_OBSERVABILITY = process.env.X_LOCAL_OBSERVABILITY ?? "false";
  const now = Date.now();
  const sharded = shardedConfig(await readFile(join(REPO_ROOT, "wrangler.toml"), "utf8"), options.shards);
  const config = options.shards > 1 ? { config: SHARDED_CONFIG } : {};
  if (options.shards > 1) await writeFile(join(REPO_ROOT, SHARDED_CONFIG), sharded.toml);
  note(`applying the migrations to ${options.shards} fresh local shard(s) in ${persistTo}`);
  await applyLocalMigrations({ persistTo, ...config });
  const { probes, recipientRows, loadMs } = await fillIndex(persistTo, options, now, sharded.names);
  const bytes = await indexBytes(persistTo);
  note("starting wrangler dev on that state");
  const receiver = await startReceiver({
    downstreamUrl: "http://127.0.0.1:9/unused",
    persistTo,
    ...config,
    vars: { INDEX_SHARDS: sharded.names.join(",") },
  });
  stopping.receiver = receiver;
  note(`timing ${ROUNDS} requests per query`);
  const search = figuresOf(await measure(receiver, searchQueries(probes, now), "/messages"));
  const stats = figuresOf(await measure(receiver, statsQueries(probes), "/stats"));
  await receiver.stop();
  const result: IndexBenchResult = {
    timestamp: new Date().toISOString(),
    machine: { ...machine() },
    params: {
      messages: options.messages,
      shards: options.shards,
      recipientRows,
      spanDays: SPAN_DAYS,
      seed: options.seed,
      rounds: ROUNDS,
      load: "generated SQL through wrangler d1 execute --local --file (bench only)",
      loadMs,
    },
    storage: { bytes, bytesPerMessage: Math.round(bytes / options.messages) },
    search,
    stats,
    targets: indexTargets(search, stats, bytes / options.messages),
    warnings: [],
  };
  const out = resolve(REPO_ROOT, options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatIndexTable(result));
  console.log(`\nwritten to ${options.out}`);
}

/** Runs the index scenario, stopping wrangler dev and removing its state at the end, on failure and on Ctrl-C. */
export async function main(options: BenchOptions): Promise<number> {
  const persistTo = await mkdtemp(join(tmpdir(), "bench-index-"));
  const stopping: { receiver?: Receiver } = {};
  const interrupted = new Promise<number>((done) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        note(`${signal}: stopping everything the bench started`);
        done(130);
      });
    }
  });
  try {
    return await Promise.race([runIndexBench(options, persistTo, stopping).then(() => 0), interrupted]);
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  } finally {
    await stopping.receiver?.stop().catch(() => undefined);
    await rm(persistTo, { recursive: true, force: true });
    await rm(join(REPO_ROOT, SHARDED_CONFIG), { force: true });
  }
}
