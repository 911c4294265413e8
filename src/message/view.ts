/**
 * What an operator sees of one message: its state, its recipients and its event history with forwarding state.
 */
import { eventName } from "../bandwidth/event-types.ts";
import type { Delivery, EventIssue, EventRecord, ForwardState, QuarantineRecord } from "./records.ts";
import { decidingMark, type MessageState, overallStatus, recipientStatus } from "./status.ts";
import { traceOf } from "./trace-context.ts";

/** One recipient's status. */
export interface RecipientView {
  recipient: string;
  status: string;
  errorCode?: number;
  description?: string;
  time?: string;
  /** Bandwidth reported both delivered and failed for this recipient; `status` says which one won. */
  conflict?: true;
}

/** Where one event stands with one destination. */
export interface DeliveryView {
  state: ForwardState;
  attempts: number;
  lastError?: string;
  nextAttemptAt?: string;
  forwardedAt?: string;
}

/** One event of the history, with its forwarding state per destination. */
export interface EventView {
  id: string;
  sequence: number;
  type: string;
  event: string;
  recipient: string;
  time: string;
  description?: string;
  errorCode?: number;
  duplicates: number;
  acceptedAt: string;
  /** The event's W3C trace id: every attempt to every destination carries it. */
  traceId: string;
  /** Forwarding per destination the event was routed to. */
  forwarding: Record<string, DeliveryView>;
  /** No destination's filter took the event when it was accepted (`forwarding` is empty); a replay can send it. */
  unrouted?: true;
}

/** The body of `GET /messages/:id`. */
export interface MessageView {
  id: string;
  direction: "inbound" | "outbound";
  from: string;
  to: string[];
  owner: string;
  applicationId?: string;
  segmentCount?: number;
  status: string;
  recipients: RecipientView[];
  events: EventView[];
  /** Events of this message held in quarantine (present only when there are some). */
  quarantined?: QuarantinedView[];
  /** Reconciliation with Bandwidth's List Messages (present once it looked): lookups, and the give-up. */
  reconciliation?: ReconciliationView;
}

/** What reconciliation did for a message. */
export interface ReconciliationView {
  lookups: number;
  lastOutcome?: string;
  /** When it gave up, with the recipients still without a terminal status. */
  givenUp?: { at: string; recipients: string[] };
}

/** One event held in quarantine: its id, type and issues, never its text or numbers. */
export interface QuarantinedView {
  id: string;
  type: string;
  issues: EventIssue[];
  quarantinedAt: string;
  duplicates: number;
}

/** Builds the view from the state and the event records; `events` come out in `time` order. */
export function toMessageView(
  state: MessageState,
  records: readonly EventRecord[],
  held: readonly QuarantineRecord[] = [],
): MessageView {
  const { header } = state;
  const view: MessageView = {
    id: header.id,
    direction: header.direction === "in" ? "inbound" : "outbound",
    from: header.from,
    to: header.to,
    owner: header.owner,
    ...(header.applicationId === undefined ? {} : { applicationId: header.applicationId }),
    ...(header.segmentCount === undefined ? {} : { segmentCount: header.segmentCount }),
    status: overallStatus(state),
    recipients: Object.entries(state.recipients)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([recipient, recipientState]) => {
        const view: RecipientView = { recipient, status: recipientStatus(recipientState) };
        const mark = decidingMark(recipientState);
        if (mark?.errorCode !== undefined && mark.status === "failed") view.errorCode = mark.errorCode;
        if (mark?.description !== undefined) view.description = mark.description;
        if (mark) view.time = mark.time;
        if (recipientState.outcomes.length > 1) view.conflict = true;
        return view;
      }),
    events: [...records]
      .sort((a, b) => (a.instant < b.instant ? -1 : a.instant > b.instant ? 1 : a.seq - b.seq))
      .map(toEventView),
  };
  if (held.length > 0) {
    view.quarantined = held.map((record) => ({
      id: record.eventId,
      type: record.type,
      issues: record.issues,
      quarantinedAt: new Date(record.quarantinedAt).toISOString(),
      duplicates: record.duplicates,
    }));
  }
  return view;
}

function toEventView(record: EventRecord): EventView {
  const { event } = record;
  const forwarding: EventView["forwarding"] = {};
  for (const [destination, delivery] of Object.entries(record.deliveries))
    forwarding[destination] = toDeliveryView(delivery);
  const view: EventView = {
    id: record.eventId,
    sequence: record.seq,
    type: event.type,
    event: eventName(event.type),
    recipient: event.to,
    time: event.time,
    duplicates: record.duplicates,
    acceptedAt: new Date(record.acceptedAt).toISOString(),
    traceId: traceOf(record).traceId,
    forwarding,
  };
  if (event.description !== undefined) view.description = event.description;
  if (event.errorCode !== undefined) view.errorCode = event.errorCode;
  if (Object.keys(record.deliveries).length === 0) view.unrouted = true;
  return view;
}

function toDeliveryView(delivery: Delivery): DeliveryView {
  const view: DeliveryView = { state: delivery.state, attempts: delivery.attempts };
  if (delivery.lastError) view.lastError = delivery.lastError;
  if (delivery.state === "pending" && delivery.nextAttemptAt !== null) {
    view.nextAttemptAt = new Date(delivery.nextAttemptAt).toISOString();
  }
  if (delivery.forwardedAt !== null) view.forwardedAt = new Date(delivery.forwardedAt).toISOString();
  return view;
}
