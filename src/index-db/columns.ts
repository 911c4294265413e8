/**
 * A message's index row as the columns of the `message_index` table (migrations/0010_message_rows.sql): the one
 * mapping from the rows' fields to SQL values, used by writeMessage and by the bench's bulk loader.
 */
import type { MessageIndexRows } from "../message/index-rows.ts";

/** A value D1 stores. */
export type SqlValue = string | number | null;

/** The `message_index` table's columns, in the order {@link indexValues} gives them; the key first. */
export const INDEX_COLUMNS = [
  "time",
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
  "pending",
  "dead",
  "quarantined",
  "events",
  "reconciliation",
  "unrouted",
  "recipient",
  "recipient_status",
  "error_code",
  "carrier",
  "delivered_at",
  "outcomes",
] as const;

/**
 * The row's values, in the order of {@link INDEX_COLUMNS}: a message with one recipient has its outcome in the
 * recipient columns, one with several in `outcomes` (JSON), so that most rows need no JSON to be counted.
 */
export function indexValues(rows: MessageIndexRows): SqlValue[] {
  const { summary: s, recipients } = rows;
  const only = recipients.length === 1 ? recipients[0] : undefined;
  return [
    s.time,
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
    s.pending,
    s.dead,
    s.quarantined,
    s.events,
    s.reconciliation,
    s.unrouted,
    only?.recipient ?? null,
    only?.status ?? null,
    only?.errorCode ?? null,
    only?.carrier ?? null,
    only?.deliveredAt ?? null,
    recipients.length > 1
      ? JSON.stringify(recipients.map((r) => [r.recipient, r.status, r.errorCode, r.carrier, r.deliveredAt]))
      : null,
  ];
}
