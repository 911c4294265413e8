/**
 * The index scenario's result (bench/results/index.json): latency per search and statistics query, the
 * targets of issue #13 (search p95 ≤ 200 ms, statistics over 24 h p95 ≤ 500 ms) and the printed table. Pure.
 */
import { percentileOfSorted } from "./percentiles.ts";

/** One measured query: its path and query string, and how long each request took. */
export interface QueryTimings {
  name: string;
  path: string;
  latenciesMs: number[];
  /** Messages (search) or outbound recipients (statistics) in the last answer. */
  rows: number;
}

/** The figures of one query. */
export interface QueryFigures {
  path: string;
  requests: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  rows: number;
}

/** One target and whether the run met it. */
export interface IndexTarget {
  name: string;
  value: number | null;
  target: string;
  ok: boolean;
}

/** The whole result. */
export interface IndexBenchResult {
  timestamp: string;
  machine: Record<string, string | number>;
  params: {
    messages: number;
    /** D1 shards the index spread over. */
    shards: number;
    recipientRows: number;
    spanDays: number;
    seed: number;
    rounds: number;
    /** How the rows got there: the bench-only bulk path. */
    load: string;
    loadMs: number;
  };
  /** The index's D1 files after the load, all shards: total bytes and per message. */
  storage: { bytes: number; bytesPerMessage: number };
  search: Record<string, QueryFigures>;
  stats: Record<string, QueryFigures>;
  targets: IndexTarget[];
  warnings: string[];
}

/** Search p95 target and statistics (24 h) p95 target, in milliseconds. */
export const SEARCH_P95_TARGET_MS = 200;
export const STATS_P95_TARGET_MS = 500;
/** Index bytes per message, all shards (issue #23). */
export const INDEX_BYTES_PER_MESSAGE_TARGET = 600;

/** The figures of each query, by name (nearest-rank percentiles). */
export function figuresOf(timings: readonly QueryTimings[]): Record<string, QueryFigures> {
  return Object.fromEntries(
    timings.map((t) => {
      const sorted = [...t.latenciesMs].sort((a, b) => a - b);
      const figures: QueryFigures = {
        path: t.path,
        requests: sorted.length,
        p50Ms: percentileOfSorted(sorted, 50),
        p95Ms: percentileOfSorted(sorted, 95),
        maxMs: sorted.at(-1) ?? null,
        rows: t.rows,
      };
      return [t.name, figures];
    }),
  );
}

function worst(figures: Record<string, QueryFigures>): number | null {
  const values = Object.values(figures).flatMap((f) => (f.p95Ms === null ? [] : [f.p95Ms]));
  return values.length === 0 ? null : Math.max(...values);
}

/** The targets: every search query's p95 ≤ 200 ms, every 24 h statistics query's p95 ≤ 500 ms. */
export function indexTargets(
  search: Record<string, QueryFigures>,
  stats: Record<string, QueryFigures>,
  bytesPerMessage: number | null = null,
): IndexTarget[] {
  const searchP95 = worst(search);
  const stats24h = Object.fromEntries(Object.entries(stats).filter(([name]) => name.startsWith("24h")));
  const statsP95 = worst(stats24h);
  return [
    {
      name: "search p95 (slowest query)",
      value: searchP95,
      target: `<= ${SEARCH_P95_TARGET_MS}`,
      ok: searchP95 !== null && searchP95 <= SEARCH_P95_TARGET_MS,
    },
    {
      name: "stats 24 h p95 (slowest query)",
      value: statsP95,
      target: `<= ${STATS_P95_TARGET_MS}`,
      ok: statsP95 !== null && statsP95 <= STATS_P95_TARGET_MS,
    },
    ...(bytesPerMessage === null
      ? []
      : [
          {
            name: "storage.bytesPerMessage (index, all shards)",
            value: bytesPerMessage,
            target: `<= ${INDEX_BYTES_PER_MESSAGE_TARGET}`,
            ok: bytesPerMessage <= INDEX_BYTES_PER_MESSAGE_TARGET,
          },
        ]),
  ];
}

function ms(value: number | null): string {
  return value === null ? "-" : value.toFixed(1);
}

/** The table printed at the end of a run. */
export function formatIndexTable(result: IndexBenchResult): string {
  const lines = [
    `${result.params.messages} messages (${result.params.recipientRows} recipients) over ${result.params.spanDays} days, over ${result.params.shards} shards, ${result.storage.bytesPerMessage} index bytes per message; ` +
      `loaded in ${(result.params.loadMs / 1000).toFixed(1)} s; ${result.params.rounds} requests per query`,
    "",
    `${"query".padEnd(28)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"max ms".padStart(8)} ${"rows".padStart(7)}`,
  ];
  for (const [kind, figures] of [
    ["search", result.search],
    ["stats", result.stats],
  ] as const) {
    for (const [name, f] of Object.entries(figures)) {
      const label = `${kind} ${name}`.padEnd(28);
      lines.push(
        `${label} ${ms(f.p50Ms).padStart(8)} ${ms(f.p95Ms).padStart(8)} ${ms(f.maxMs).padStart(8)} ${String(f.rows).padStart(7)}`,
      );
    }
  }
  lines.push(
    "",
    ...result.targets.map(
      (t) => `${t.ok ? "ok  " : "MISS"}  ${t.name.padEnd(32)} ${ms(t.value).padStart(8)}  ${t.target}`,
    ),
    ...result.warnings.map((warning) => `WARNING: ${warning}`),
  );
  return lines.join("\n");
}
