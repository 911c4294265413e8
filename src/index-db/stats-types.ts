/**
 * The shapes of the delivery statistics (GET /stats): what is asked, and what is answered.
 */
import type { ErrorCodeClass } from "../bandwidth/error-codes.ts";
import type { StatsGrouping } from "./stats-queries.ts";

/** What to count: messages whose time is in [since, until) (epoch milliseconds), of one application or all. */
export interface StatsParams {
  since: number;
  until: number;
  applicationId?: string;
  by?: StatsGrouping;
}

/** Failed recipients with one error code (null: Bandwidth gave none). */
export interface FailureCount {
  errorCode: number | null;
  count: number;
  class: ErrorCodeClass;
  meaning: string;
}

/** The figures of outbound recipients. */
export interface OutboundStats {
  /** Recipients of outbound messages. */
  recipients: number;
  /** Recipients by status; the six usual statuses are always present. */
  counts: Record<string, number>;
  /** Failed recipients whose code is 9902 (no delivery receipt): also in `counts.failed`. */
  noReceipt: number;
  /** (delivered + read) / (delivered + read + failed − noReceipt); null when nothing ended yet. */
  deliveryRate: number | null;
  /** Failed recipients by error code, most frequent first. */
  failures: FailureCount[];
  /** Delivered time minus message time, over the recipients with a delivered event (nearest rank). */
  timeToDelivery: { count: number; p50Ms: number | null; p95Ms: number | null };
}

/** The figures of one group. `key`: the hour or day (RFC 3339), the error code, carrier or application id. */
export interface StatsGroup {
  key: string | number | null;
  outbound: OutboundStats;
  /** Absent when grouping by error code or carrier, which inbound messages do not have. */
  inbound?: { messages: number };
}

/** The body of `GET /stats`. */
export interface DeliveryStats {
  since: string;
  until: string;
  applicationId?: string;
  by?: StatsGrouping;
  outbound: OutboundStats;
  inbound: { messages: number };
  /** Events of these messages that no destination's filter took (stored, never forwarded until a replay). */
  unroutedEvents: number;
  groups?: StatsGroup[];
}
