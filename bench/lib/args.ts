/**
 * The bench's command line: `--scenario`, `--duration`, `--concurrency`, `--seed`, `--drain-timeout`,
 * `--messages`, `--out`, `--tmpfs`.
 */

/**
 * What a run measures: callbacks under load (`ingest`, the default), the message index's queries (`index`), or
 * a rate-limited destination offered ten times its limit (`burst`).
 */
export type BenchScenario = "ingest" | "index" | "burst";

/** The bench's parameters. */
export interface BenchOptions {
  scenario: BenchScenario;
  /** Seconds each Worker is driven. */
  durationS: number;
  /** Connections kept busy at once. */
  concurrency: number;
  /** Seed of the request mix; the baseline and the receiver get the same bodies. */
  seed: number;
  /** Seconds to wait after the load until the downstream has every event. */
  drainTimeoutS: number;
  /** Messages in the index (scenario `index`). */
  messages: number;
  /** D1 shards the index spreads over (scenario `index`). */
  shards: number;
  /** Where the JSON result is written, relative to the repository root. */
  out: string;
  /**
   * Every `--persist-to` on a memory file system (/dev/shm) only. Without it the floor and the receiver run on
   * disk and then again on /dev/shm, and everything else on disk.
   */
  tmpfs: boolean;
}

/** The defaults: the ingest scenario, 20 s at 32 connections, seed 1, 120 s drain, bench/results/latest.json. */
export const DEFAULT_OPTIONS: BenchOptions = {
  scenario: "ingest",
  durationS: 20,
  concurrency: 32,
  seed: 1,
  drainTimeoutS: 120,
  messages: 100_000,
  shards: 1,
  out: "bench/results/latest.json",
  tmpfs: false,
};

/** Where the `index` scenario writes its result unless `--out` says otherwise. */
export const INDEX_RESULT = "bench/results/index.json";
/** Where the `burst` scenario writes its result unless `--out` says otherwise. */
export const BURST_RESULT = "bench/results/burst.json";

/** Usage text for `--help` and errors. */
export const USAGE =
  "usage: npm run bench -- [--scenario ingest|index|burst] [--duration <s, 1-600>] [--concurrency <1-1024>] " +
  "[--seed <n>] [--drain-timeout <s, 1-600>] [--messages <1000-1000000, index only>] [--shards <1-8, index only>] " +
  "[--out <file.json>] [--tmpfs]";

type IntegerOption = "durationS" | "concurrency" | "seed" | "drainTimeoutS" | "messages" | "shards";

const INTEGER_FLAGS: Record<string, { option: IntegerOption; min: number; max: number }> = {
  "--duration": { option: "durationS", min: 1, max: 600 },
  "--concurrency": { option: "concurrency", min: 1, max: 1024 },
  "--seed": { option: "seed", min: 0, max: 2 ** 31 - 1 },
  "--drain-timeout": { option: "drainTimeoutS", min: 1, max: 600 },
  "--messages": { option: "messages", min: 1_000, max: 1_000_000 },
  "--shards": { option: "shards", min: 1, max: 8 },
};

/** Parses `argv` (without node and the script); `--flag value` and `--flag=value` both work. */
export function parseBenchArgs(
  argv: readonly string[],
): { ok: true; options: BenchOptions } | { ok: false; error: string } {
  const options: BenchOptions = { ...DEFAULT_OPTIONS };
  let outGiven = false;
  options.tmpfs = argv.includes("--tmpfs");
  const items = argv
    .filter((item) => item !== "--tmpfs")
    .flatMap((item) => (item.startsWith("--") && item.includes("=") ? splitOnce(item) : [item]));
  for (let i = 0; i < items.length; i += 2) {
    const flag = items[i] ?? "";
    const value = items[i + 1];
    if (flag === "--help") return { ok: false, error: USAGE };
    if (value === undefined) return { ok: false, error: `${flag} needs a value\n${USAGE}` };
    if (flag === "--out") {
      if (!value.endsWith(".json")) return { ok: false, error: "--out must name a .json file" };
      options.out = value;
      outGiven = true;
      continue;
    }
    if (flag === "--scenario") {
      if (value !== "ingest" && value !== "index" && value !== "burst")
        return { ok: false, error: "--scenario must be ingest, index or burst" };
      options.scenario = value;
      continue;
    }
    const spec = INTEGER_FLAGS[flag];
    if (!spec) return { ok: false, error: `unknown option ${flag}\n${USAGE}` };
    const number = Number(value);
    if (!Number.isInteger(number) || number < spec.min || number > spec.max) {
      return { ok: false, error: `${flag} must be an integer from ${spec.min} to ${spec.max}` };
    }
    options[spec.option] = number;
  }
  if (options.scenario === "index" && !outGiven) options.out = INDEX_RESULT;
  if (options.scenario === "burst" && !outGiven) options.out = BURST_RESULT;
  return { ok: true, options };
}

function splitOnce(item: string): string[] {
  const at = item.indexOf("=");
  return [item.slice(0, at), item.slice(at + 1)];
}
