/**
 * Delivery statistics over the index (GET /stats): per recipient of outbound messages whose time falls in a
 * range, counts by status, the delivery rate, failures by error code with their meaning and class, and time to
 * delivery; inbound message counts. Optionally grouped by hour, day, error code, carrier or application. One
 * D1 batch of aggregate queries per shard over the message rows of the range (their `outcomes`), and of the
 * unrouted events through the partial index `message_index_unrouted`.
 */
import { indexOperation } from "./index-error.ts";
import { outboundStats } from "./stats-figures.ts";
import {
  type CountRow,
  countsOf,
  DAY_MS,
  type DelayRow,
  type DistributionRow,
  type FailureRow,
  failuresOf,
  HOUR_MS,
  type InboundRow,
  type Key,
  type OutcomeRow,
  statsStatements,
  type UnroutedRow,
} from "./stats-queries.ts";
import type { DeliveryStats, StatsGroup, StatsParams } from "./stats-types.ts";

export type { StatsGrouping } from "./stats-queries.ts";
export type { DeliveryStats, FailureCount, OutboundStats, StatsGroup, StatsParams } from "./stats-types.ts";

/**
 * The delivery statistics of the messages whose time is in [since, until), optionally of one application and
 * grouped. Throws an IndexError when D1 fails.
 */
export function deliveryStats(db: D1Database, params: StatsParams): Promise<DeliveryStats> {
  return shardedDeliveryStats([db], params);
}

/**
 * The same over several shards, asked in parallel: their counts add up; with more than one shard, each gives
 * its distribution of times to delivery and the percentiles are taken over the merged distribution (the same
 * nearest rank as the one-shard SQL, so the answer does not depend on how the rows are spread).
 */
export async function shardedDeliveryStats(
  dbs: readonly D1Database[],
  params: StatsParams,
): Promise<DeliveryStats> {
  const merged = dbs.length > 1;
  const parts = await Promise.all(dbs.map((db) => shardRows(db, params, merged)));
  return assemble(params, merged ? mergeRows(parts) : (parts[0] ?? EMPTY));
}

const EMPTY: Rows = { counts: [], failures: [], delays: [], inbound: [], totalDelays: [], unrouted: [] };

/** One shard's rows; with `distributions`, its times to delivery by value instead of its percentiles. */
function shardRows(db: D1Database, params: StatsParams, distributions: boolean): Promise<ShardRows> {
  const byApplication = params.applicationId !== undefined;
  const bind = byApplication
    ? [params.since, params.until, params.applicationId]
    : [params.since, params.until];
  const grouped = statsStatements(params.by ?? "none", byApplication);
  const total = statsStatements("none", byApplication);
  const delays = distributions ? "distribution" : "delays";
  const queries = [grouped.outcomes, grouped.inbound, total.unrouted, grouped[delays]];
  // Counts add up across groups; percentiles do not, so the totals' percentiles need their own query.
  if (params.by) queries.push(total[delays]);
  return indexOperation("deliveryStats", async () => {
    const results = await db.batch(queries.map((sql) => db.prepare(sql).bind(...bind)));
    const [outcomes, inbound, unrouted, grouped, totals] = results.map((result) => result.results);
    return {
      counts: countsOf((outcomes ?? []) as OutcomeRow[]),
      failures: failuresOf((outcomes ?? []) as OutcomeRow[]),
      inbound: (inbound ?? []) as InboundRow[],
      unrouted: (unrouted ?? []) as UnroutedRow[],
      delays: (grouped ?? []) as DelayRow[],
      totalDelays: (totals ?? grouped ?? []) as DelayRow[],
      distribution: distributions ? ((grouped ?? []) as DistributionRow[]) : [],
      totalDistribution: distributions ? ((totals ?? grouped ?? []) as DistributionRow[]) : [],
    };
  });
}

interface ShardRows extends Rows {
  distribution: DistributionRow[];
  totalDistribution: DistributionRow[];
}

/** The shards' rows as one shard's: counts summed per key, percentiles from the merged distributions. */
function mergeRows(parts: readonly ShardRows[]): Rows {
  const key = (k: Key) => JSON.stringify(k);
  return {
    counts: sumBy(
      parts.flatMap((p) => p.counts),
      (row) => `${key(row.k)}|${row.status}`,
      (into, row) => {
        into.n += row.n;
        if (row.no_receipt !== null) into.no_receipt = (into.no_receipt ?? 0) + row.no_receipt;
      },
    ),
    failures: sumBy(
      parts.flatMap((p) => p.failures),
      (row) => `${key(row.k)}|${row.error_code}`,
      (into, row) => {
        into.n += row.n;
      },
    ),
    inbound: sumBy(
      parts.flatMap((p) => p.inbound),
      (row) => key(row.k),
      (into, row) => {
        into.n += row.n;
      },
    ),
    delays: percentiles(parts.flatMap((p) => p.distribution)),
    totalDelays: percentiles(parts.flatMap((p) => p.totalDistribution)),
    unrouted: [{ n: parts.reduce((sum, p) => sum + (p.unrouted[0]?.n ?? 0), 0) }],
  };
}

/** The rows with the same `id`, each group folded into a copy of its first row by `add`. */
function sumBy<T extends object>(
  rows: readonly T[],
  id: (row: T) => string,
  add: (into: T, row: T) => void,
): T[] {
  const merged = new Map<string, T>();
  for (const row of rows) {
    const seen = merged.get(id(row));
    if (seen) add(seen, row);
    else merged.set(id(row), { ...row });
  }
  return [...merged.values()];
}

/** Per key, the count and nearest-rank 50th and 95th percentiles of a distribution given as (value, count). */
export function percentiles(rows: readonly DistributionRow[]): DelayRow[] {
  const byKey = new Map<string, { k: Key; values: Map<number, number> }>();
  for (const row of rows) {
    const id = JSON.stringify(row.k);
    let group = byKey.get(id);
    if (!group) {
      group = { k: row.k, values: new Map() };
      byKey.set(id, group);
    }
    group.values.set(row.ms, (group.values.get(row.ms) ?? 0) + row.n);
  }
  return [...byKey.values()].map(({ k, values }) => {
    const sorted = [...values].sort((a, b) => a[0] - b[0]);
    const n = sorted.reduce((total, [, count]) => total + count, 0);
    const at = (percent: number) => {
      const rank = Math.floor((percent * n + 99) / 100);
      let seen = 0;
      for (const [ms, count] of sorted) {
        seen += count;
        if (seen >= rank) return ms;
      }
      return null;
    };
    return { k, n, p50: at(50), p95: at(95) };
  });
}

interface Rows {
  counts: CountRow[];
  failures: FailureRow[];
  delays: DelayRow[];
  inbound: InboundRow[];
  totalDelays: DelayRow[];
  unrouted: UnroutedRow[];
}

function assemble(params: StatsParams, rows: Rows): DeliveryStats {
  const stats: DeliveryStats = {
    since: new Date(params.since).toISOString(),
    until: new Date(params.until).toISOString(),
    ...(params.applicationId === undefined ? {} : { applicationId: params.applicationId }),
    ...(params.by === undefined ? {} : { by: params.by }),
    outbound: outboundStats(rows.counts, rows.failures, rows.totalDelays[0]),
    inbound: { messages: rows.inbound.reduce((sum, row) => sum + row.n, 0) },
    unroutedEvents: rows.unrouted[0]?.n ?? 0,
  };
  if (params.by) stats.groups = groups(params, rows);
  return stats;
}

function groups(params: StatsParams, rows: Rows): StatsGroup[] {
  const by = params.by;
  // Inbound messages have no error code or carrier: under those groupings they count in the totals only.
  const withInbound = by !== "errorCode" && by !== "carrier";
  const keys = new Set<Key>(rows.counts.map((row) => row.k));
  if (withInbound) for (const row of rows.inbound) keys.add(row.k);
  const bucket = by === "hour" ? HOUR_MS : by === "day" ? DAY_MS : undefined;
  if (bucket) {
    // Every hour or day of the range, empty ones too, so that a chart needs no gap filling.
    for (let at = Math.floor(params.since / bucket) * bucket; at < params.until; at += bucket) keys.add(at);
  }
  const counts = byKey(rows.counts);
  const failures = byKey(rows.failures);
  const delays = byKey(rows.delays);
  const inbound = byKey(rows.inbound);
  const list = [...keys].map((k): StatsGroup & { order: Key } => {
    const group: StatsGroup & { order: Key } = {
      order: k,
      key: bucket && typeof k === "number" ? new Date(k).toISOString() : k,
      outbound: outboundStats(counts.get(k) ?? [], failures.get(k) ?? [], delays.get(k)?.[0]),
    };
    if (withInbound) group.inbound = { messages: inbound.get(k)?.[0]?.n ?? 0 };
    return group;
  });
  const sorted = bucket
    ? list.sort((a, b) => Number(a.order) - Number(b.order))
    : list.sort((a, b) => b.outbound.recipients - a.outbound.recipients || compareKeys(a.order, b.order));
  return sorted.map(({ order: _order, ...group }) => group);
}

/** The rows of each group key. */
function byKey<T extends { k: Key }>(rows: readonly T[]): Map<Key, T[]> {
  const groups = new Map<Key, T[]>();
  for (const row of rows) {
    const group = groups.get(row.k);
    if (group) group.push(row);
    else groups.set(row.k, [row]);
  }
  return groups;
}

function compareKeys(a: Key, b: Key): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return String(a) < String(b) ? -1 : 1;
}
