/**
 * The SQL of the delivery statistics (src/index-db/stats.ts): per grouping, the aggregate queries over the
 * outbound recipients of a time range (a one-recipient message's outcome columns, a group's `outcomes`, one
 * JSON array per recipient, read as rows) and the inbound messages. Both read the rows of the range in the table's own key order (time, id).
 */
/** How `GET /stats` groups its figures. */
export type StatsGrouping = "hour" | "day" | "errorCode" | "carrier" | "applicationId";

/** One hour and one day in milliseconds: the buckets of `by=hour` and `by=day`. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The group key of a recipient row and of a summary row (null: inbound has no such key) for each grouping. */
const KEYS: Record<StatsGrouping | "none", { recipient: string; message: string | null }> = {
  none: { recipient: "NULL", message: "NULL" },
  hour: {
    recipient: `(message_time / ${HOUR_MS}) * ${HOUR_MS}`,
    message: `(time / ${HOUR_MS}) * ${HOUR_MS}`,
  },
  day: { recipient: `(message_time / ${DAY_MS}) * ${DAY_MS}`, message: `(time / ${DAY_MS}) * ${DAY_MS}` },
  errorCode: { recipient: "error_code", message: null },
  carrier: { recipient: "carrier", message: null },
  applicationId: { recipient: "application_id", message: "application_id" },
};

/** A group key as D1 returns it. */
export type Key = string | number | null;

/** Recipients of one group with one status; `no_receipt` of them failed with 9902. */
export interface CountRow {
  k: Key;
  status: string;
  n: number;
  no_receipt: number | null;
}

/** Recipients of one group with one status and one error code: what counts and failures come from. */
export interface OutcomeRow {
  k: Key;
  status: string;
  error_code: number | null;
  n: number;
}

/** Failed recipients of one group with one error code. */
export interface FailureRow {
  k: Key;
  error_code: number | null;
  n: number;
}

/** Time to delivery in one group: how many recipients, and the nearest-rank 50th and 95th percentiles. */
export interface DelayRow {
  k: Key;
  n: number;
  p50: number | null;
  p95: number | null;
}

/** Recipients of one group delivered `ms` after their message's time: a shard's share of a distribution. */
export interface DistributionRow {
  k: Key;
  ms: number;
  n: number;
}

/** Inbound messages of one group. */
export interface InboundRow {
  k: Key;
  n: number;
}

/** The nearest rank of the `percent`th percentile of `n` values: ceil(percent × n / 100), in integers. */
function nearestRank(percent: number): string {
  return `(${percent} * n + 99) / 100`;
}

/** Events no destination's filter took, over every message of the range. */
export interface UnroutedRow {
  n: number | null;
}

/**
 * The statements of one grouping (`none`: a single group with key NULL), to bind with `?1` since and
 * `?2` until (epoch milliseconds) and, when `byApplication`, `?3` the application id.
 */
export function statsStatements(grouping: StatsGrouping | "none", byApplication: boolean) {
  const { recipient: key, message: messageKey } = KEYS[grouping];
  const application = byApplication ? " AND application_id = ?3" : "";
  const messageApplication = byApplication ? " AND m.application_id = ?3" : "";
  // The recipients of the outbound messages of the range, as rows with the columns the queries group on: a
  // one-recipient message's from its columns, a group's from its JSON.
  const range = `m.direction = 'outbound' AND m.time >= ?1 AND m.time < ?2${messageApplication}`;
  const recipients = `(SELECT m.time AS message_time, m.application_id AS application_id,
      m.recipient_status AS status, m.error_code AS error_code, m.carrier AS carrier, m.delivered_at AS delivered_at
    FROM message_index m WHERE ${range} AND m.recipient IS NOT NULL
    UNION ALL
    SELECT m.time, m.application_id, o.value ->> 1, o.value ->> 2, o.value ->> 3, o.value ->> 4
    FROM message_index m, json_each(m.outcomes) o WHERE ${range} AND m.outcomes IS NOT NULL)`;
  const outbound = `FROM ${recipients} WHERE 1`;
  return {
    // Counts by status and failures by error code in one read of the range (see countsOf and failuresOf).
    outcomes: `SELECT ${key} AS k, status, error_code, COUNT(*) AS n ${outbound} GROUP BY k, status, error_code`,
    delays: `SELECT k, n, MAX(CASE WHEN pos = ${nearestRank(50)} THEN ms END) AS p50,
        MAX(CASE WHEN pos = ${nearestRank(95)} THEN ms END) AS p95
      FROM (SELECT ${key} AS k, delivered_at - message_time AS ms,
          ROW_NUMBER() OVER (PARTITION BY ${key} ORDER BY delivered_at - message_time) AS pos,
          COUNT(*) OVER (PARTITION BY ${key}) AS n
        ${outbound} AND delivered_at IS NOT NULL)
      GROUP BY k`,
    distribution: `SELECT ${key} AS k, delivered_at - message_time AS ms, COUNT(*) AS n
      ${outbound} AND delivered_at IS NOT NULL GROUP BY k, ms`,
    inbound: `SELECT ${messageKey ?? "NULL"} AS k, COUNT(*) AS n FROM message_index
      WHERE direction = 'inbound' AND time >= ?1 AND time < ?2${application}
      GROUP BY k`,
    // Reads the partial index message_index_unrouted: only the messages that have such events.
    unrouted: `SELECT SUM(unrouted) AS n FROM message_index
      WHERE unrouted > 0 AND time >= ?1 AND time < ?2${application}`,
  };
}

/** The counts by group and status of `outcomes`, with the failures with 9902 (no receipt) among them. Pure. */
export function countsOf(outcomes: readonly OutcomeRow[]): CountRow[] {
  const rows = new Map<string, CountRow>();
  for (const row of outcomes) {
    const id = `${JSON.stringify(row.k)}|${row.status}`;
    const count = rows.get(id) ?? { k: row.k, status: row.status, n: 0, no_receipt: 0 };
    count.n += row.n;
    if (row.error_code === 9902) count.no_receipt = (count.no_receipt ?? 0) + row.n;
    rows.set(id, count);
  }
  return [...rows.values()];
}

/** The failed recipients of `outcomes` by group and error code. Pure. */
export function failuresOf(outcomes: readonly OutcomeRow[]): FailureRow[] {
  return outcomes
    .filter((row) => row.status === "failed")
    .map((row) => ({ k: row.k, error_code: row.error_code, n: row.n }));
}
