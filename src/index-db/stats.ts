/**
 * Delivery statistics over the index (GET /stats): per recipient of outbound messages whose time falls in a
 * range, counts by status, the delivery rate, failures by error code with their meaning and class, and time to
 * delivery; inbound message counts. Optionally grouped by hour, day, error code, carrier or application. One
 * D1 batch of aggregate queries that read the covering index `recipients_outbound_by_time` (and, for the unrouted
 * events, the partial index `messages_unrouted`).
 */
import { indexOperation } from "./index-error.ts";
import { outboundStats } from "./stats-figures.ts";
import {
  type CountRow,
  DAY_MS,
  type DelayRow,
  type FailureRow,
  HOUR_MS,
  type InboundRow,
  type Key,
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
  const byApplication = params.applicationId !== undefined;
  const bind = byApplication
    ? [params.since, params.until, params.applicationId]
    : [params.since, params.until];
  const grouped = statsStatements(params.by ?? "none", byApplication);
  const total = statsStatements("none", byApplication);
  const queries = [grouped.counts, grouped.failures, grouped.delays, grouped.inbound, total.unrouted];
  // Counts add up across groups; percentiles do not, so the totals' percentiles need their own query.
  if (params.by) queries.push(total.delays);
  return indexOperation("deliveryStats", async () => {
    const results = await db.batch(queries.map((sql) => db.prepare(sql).bind(...bind)));
    const [counts, failures, delays, inbound, unrouted, totalDelays] = results.map(
      (result) => result.results,
    );
    return assemble(params, {
      counts: (counts ?? []) as CountRow[],
      failures: (failures ?? []) as FailureRow[],
      delays: (delays ?? []) as DelayRow[],
      inbound: (inbound ?? []) as InboundRow[],
      totalDelays: (totalDelays ?? delays ?? []) as DelayRow[],
      unrouted: (unrouted ?? []) as UnroutedRow[],
    });
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
