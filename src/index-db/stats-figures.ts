/**
 * The figures of one group of outbound recipients, from the aggregate rows D1 returns: counts by status, the
 * delivery rate without 9902, failures by error code with meaning and class, time to delivery. Pure.
 */
import { describeErrorCode } from "../bandwidth/error-codes.ts";
import type { CountRow, DelayRow, FailureRow } from "./stats-queries.ts";
import type { FailureCount, OutboundStats } from "./stats-types.ts";

const USUAL_STATUSES = ["sending", "sent", "delivered", "failed", "read", "unknown"];

/** The figures of the recipients whose counts, failures and delays these rows hold. */
export function outboundStats(
  counts: CountRow[],
  failures: FailureRow[],
  delays: DelayRow | undefined,
): OutboundStats {
  const byStatus: Record<string, number> = Object.fromEntries(USUAL_STATUSES.map((status) => [status, 0]));
  let noReceipt = 0;
  for (const row of counts) {
    byStatus[row.status] = (byStatus[row.status] ?? 0) + row.n;
    if (row.status === "failed") noReceipt += row.no_receipt ?? 0;
  }
  const recipients = Object.values(byStatus).reduce((sum, n) => sum + n, 0);
  const delivered = (byStatus.delivered ?? 0) + (byStatus.read ?? 0);
  const ended = delivered + (byStatus.failed ?? 0) - noReceipt;
  return {
    recipients,
    counts: byStatus,
    noReceipt,
    deliveryRate: ended > 0 ? delivered / ended : null,
    failures: failureCounts(failures),
    timeToDelivery: { count: delays?.n ?? 0, p50Ms: delays?.p50 ?? null, p95Ms: delays?.p95 ?? null },
  };
}

function failureCounts(rows: FailureRow[]): FailureCount[] {
  const counts = new Map<number | null, number>();
  for (const row of rows) counts.set(row.error_code, (counts.get(row.error_code) ?? 0) + row.n);
  return [...counts]
    .map(([errorCode, count]): FailureCount => {
      if (errorCode === null)
        return { errorCode, count, class: "unknown", meaning: "failed without an error code" };
      const described = describeErrorCode(errorCode);
      return { errorCode, count, class: described.class, meaning: described.meaning };
    })
    .sort((a, b) => b.count - a.count || (a.errorCode ?? Infinity) - (b.errorCode ?? Infinity));
}
