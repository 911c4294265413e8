/**
 * What an operator sees of one message: its state, its recipients and its event history with forwarding state.
 */
import { eventName } from "../bandwidth/event-types.ts";
import type { EventIssue, EventRecord, QuarantineRecord } from "./records.ts";
import { decidingMark, type MessageState, overallStatus, recipientStatus } from "./status.ts";

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

/** One event of the history, with its forwarding state. */
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
  forwarding: {
    state: EventRecord["forwardState"];
    attempts: number;
    lastError?: string;
    nextAttemptAt?: string;
    forwardedAt?: string;
  };
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
  const forwarding: EventView["forwarding"] = { state: record.forwardState, attempts: record.attempts };
  if (record.lastError) forwarding.lastError = record.lastError;
  if (record.forwardState === "pending" && record.nextAttemptAt !== null) {
    forwarding.nextAttemptAt = new Date(record.nextAttemptAt).toISOString();
  }
  if (record.forwardedAt !== null) forwarding.forwardedAt = new Date(record.forwardedAt).toISOString();
  const view: EventView = {
    id: record.eventId,
    sequence: record.seq,
    type: event.type,
    event: eventName(event.type),
    recipient: event.to,
    time: event.time,
    duplicates: record.duplicates,
    acceptedAt: new Date(record.acceptedAt).toISOString(),
    forwarding,
  };
  if (event.description !== undefined) view.description = event.description;
  if (event.errorCode !== undefined) view.errorCode = event.errorCode;
  return view;
}
