/**
 * What the D1 index holds of a message (GET /messages, GET /stats, POST /replay): its summary and each
 * recipient's outcome, derived from the message's state, its event records and its quarantined count, stored as
 * one row (src/index-db/columns.ts). Pure; the message's Durable Object computes these whenever the message
 * changes and src/index-db/write.ts stores them.
 */
import { instantKey } from "../bandwidth/time.ts";
import type { EventRecord, ForwardState } from "./records.ts";
import {
  decidingMark,
  type MessageState,
  overallStatus,
  type RecipientState,
  recipientStatus,
} from "./status.ts";

/** One message's summary row: what `GET /messages` lists and filters on. Times are epoch milliseconds. */
export interface MessageSummaryRow {
  id: string;
  direction: "inbound" | "outbound";
  from: string;
  /** `message.to`: every recipient. */
  to: string[];
  applicationId: string | null;
  tag: string | null;
  /** The recipients' common status, or `mixed`. */
  status: string;
  /** The error codes of the recipients whose status is failed, sorted, each once. */
  errorCodes: number[];
  segmentCount: number | null;
  /** `message.time`. */
  time: number;
  /** When the message last changed; the index keeps the newest write. */
  updatedAt: number;
  /** Events still to forward, and dead ones. */
  pending: number;
  dead: number;
  /** Events held in quarantine. */
  quarantined: number;
  /** Events no destination's filter took (routed nowhere when accepted). */
  unrouted: number;
  /** Events accepted (what a replay of the message sends). */
  events: number;
  /** `given-up` when reconciliation gave up on the message's recipients; else null. */
  reconciliation: "given-up" | null;
}

/** One recipient's row: what search by `to` and the delivery statistics need. Times are epoch milliseconds. */
export interface RecipientRow {
  recipient: string;
  /** This recipient's status: `sending`, `sent`, `delivered`, `failed`, `read`, `received`, `unknown`, … */
  status: string;
  /** The error code of a failed status. */
  errorCode: number | null;
  /** `carrierName` of the event that decided the status, else of the recipient's latest event naming one. */
  carrier: string | null;
  /** The time of the delivered event behind a delivered (or read) status. */
  deliveredAt: number | null;
}

/** Everything the index holds about one message. */
export interface MessageIndexRows {
  summary: MessageSummaryRow;
  recipients: RecipientRow[];
}

/** Epoch milliseconds of an RFC 3339 time (as {@link instantKey} reads it; a leap second counts as the next). */
export function epochMillis(time: string): number {
  const [seconds = "0", fraction = ""] = instantKey(time).split(".");
  return Number(seconds) * 1000 + Number(fraction.slice(0, 3).padEnd(3, "0"));
}

/**
 * The index rows of a message. `records` must hold the event the state's header came from (any event of the
 * message does, but that one decides `time` and `tag`); `updatedAt` defaults to the message's latest
 * acceptance or forwarding.
 */
export function toIndexRows(
  state: MessageState,
  records: readonly EventRecord[],
  quarantined: number,
  updatedAt: number = latestActivity(records),
  reconciliation: "given-up" | null = null,
): MessageIndexRows {
  const { header } = state;
  const byId = new Map(records.map((record) => [record.eventId, record]));
  const { message } = headerSource(state, records, byId).event;
  const recipients = recipientRows(state, records, byId);
  const failedCodes = recipients.flatMap((row) => (row.errorCode === null ? [] : [row.errorCode]));
  return {
    summary: {
      id: header.id,
      direction: header.direction === "in" ? "inbound" : "outbound",
      from: header.from,
      to: [...header.to],
      applicationId: header.applicationId ?? null,
      tag: message.tag ?? null,
      status: overallStatus(state),
      errorCodes: [...new Set(failedCodes)].sort((a, b) => a - b),
      segmentCount: header.segmentCount ?? null,
      time: epochMillis(message.time),
      updatedAt,
      // Events with a delivery in that state, whatever its destination.
      pending: records.filter((record) => hasDelivery(record, "pending")).length,
      dead: records.filter((record) => hasDelivery(record, "dead")).length,
      quarantined,
      unrouted: records.filter((record) => Object.keys(record.deliveries).length === 0).length,
      events: records.length,
      reconciliation,
    },
    recipients,
  };
}

/** The event the state's header came from (else the first): it decides the message's time and tag. */
function headerSource(
  state: MessageState,
  records: readonly EventRecord[],
  byId?: ReadonlyMap<string, EventRecord>,
): EventRecord {
  const source =
    byId?.get(state.header.eventId) ?? records.find((r) => r.eventId === state.header.eventId) ?? records[0];
  if (!source) throw new RangeError("toIndexRows needs the message's event records");
  return source;
}

/** The message's time as its index row has it (epoch milliseconds): the key the row is stored under. */
export function indexTime(state: MessageState, records: readonly EventRecord[]): number {
  return epochMillis(headerSource(state, records).event.message.time);
}

/** Every address of `message.to` and every recipient an event named, each once, sorted. */
function recipientRows(
  state: MessageState,
  records: readonly EventRecord[],
  byId: ReadonlyMap<string, EventRecord>,
): RecipientRow[] {
  const addresses = [...new Set([...state.header.to, ...Object.keys(state.recipients)])].sort();
  return addresses.map((recipient) => {
    const recipientState = state.recipients[recipient];
    const status = recipientStatus(recipientState);
    const mark = recipientState && decidingMark(recipientState);
    const terminal = recipientState?.terminal;
    return {
      recipient,
      status,
      errorCode: status === "failed" && mark?.errorCode !== undefined ? mark.errorCode : null,
      carrier: carrierOf(recipient, recipientState, records, byId),
      deliveredAt: terminal?.status === "delivered" ? epochMillis(terminal.time) : null,
    };
  });
}

/** The carrier named by the deciding event, else by the recipient's latest event (by time) that names one. */
function carrierOf(
  recipient: string,
  state: RecipientState | undefined,
  records: readonly EventRecord[],
  byId: ReadonlyMap<string, EventRecord>,
): string | null {
  const mark = state && decidingMark(state);
  const decided = mark ? byId.get(mark.eventId)?.event.carrierName : undefined;
  if (decided !== undefined) return decided;
  let latest: EventRecord | undefined;
  for (const record of records) {
    const { event } = record;
    if (event.to !== recipient || event.carrierName === undefined) continue;
    if (!latest || record.instant > latest.instant) latest = record;
  }
  return latest?.event.carrierName ?? null;
}

/** The latest acceptance or forwarding among the records (0 without records). */
function latestActivity(records: readonly EventRecord[]): number {
  return records.reduce(
    (latest, record) =>
      Math.max(latest, record.acceptedAt, ...Object.values(record.deliveries).map((d) => d.forwardedAt ?? 0)),
    0,
  );
}

function hasDelivery(record: EventRecord, state: ForwardState): boolean {
  return Object.values(record.deliveries).some((delivery) => delivery.state === state);
}
