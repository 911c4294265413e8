/**
 * A message's index rows as the columns of the two tables (migrations/): the one mapping
 * from the rows' fields to SQL values, used by writeMessage and by the bench's bulk loader.
 */
import type { MessageIndexRows, MessageSummaryRow } from "../message/index-rows.ts";

/** A value D1 stores. */
export type SqlValue = string | number | null;

/** The `messages` table's columns, in the order {@link summaryValues} gives them. */
export const SUMMARY_COLUMNS = [
  "id",
  "updated_at",
  "direction",
  "sender",
  "recipients",
  "application_id",
  "tag",
  "status",
  "error_codes",
  "segment_count",
  "time",
  "pending",
  "dead",
  "quarantined",
  "events",
  "reconciliation",
  "unrouted",
] as const;

/** The `message_recipients` table's columns, in the order {@link recipientValues} gives them. */
export const RECIPIENT_COLUMNS = [
  "message_id",
  "recipient",
  "direction",
  "application_id",
  "message_time",
  "status",
  "error_code",
  "carrier",
  "delivered_at",
] as const;

/** The summary row's values, in the order of {@link SUMMARY_COLUMNS}. */
export function summaryValues(s: MessageSummaryRow): SqlValue[] {
  return [
    s.id,
    s.updatedAt,
    s.direction,
    s.from,
    JSON.stringify(s.to),
    s.applicationId,
    s.tag,
    s.status,
    JSON.stringify(s.errorCodes),
    s.segmentCount,
    s.time,
    s.pending,
    s.dead,
    s.quarantined,
    s.events,
    s.reconciliation,
    s.unrouted,
  ];
}

/** Each recipient row's values, in the order of {@link RECIPIENT_COLUMNS}. */
export function recipientValues(rows: MessageIndexRows): SqlValue[][] {
  const { summary: s } = rows;
  return rows.recipients.map((r) => [
    s.id,
    r.recipient,
    s.direction,
    s.applicationId,
    s.time,
    r.status,
    r.errorCode,
    r.carrier,
    r.deliveredAt,
  ]);
}
