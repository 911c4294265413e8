/**
 * What an operator sees of one message: its state, its recipients and its event history with forwarding state.
 */
import { eventName } from "../bandwidth/event-types.ts";
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import { decidingMark, type MessageState, overallStatus, recipientStatus } from "./status.ts";
import type { EventRow } from "./tracker-sql.ts";

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
  description: string;
  errorCode?: number;
  duplicates: number;
  acceptedAt: string;
  forwarding: {
    state: EventRow["forward_state"];
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
  applicationId: string;
  segmentCount: number;
  status: string;
  recipients: RecipientView[];
  events: EventView[];
}

/** Builds the view from the state and the event rows (already in `time` order). */
export function toMessageView(state: MessageState, rows: readonly EventRow[]): MessageView {
  const { header } = state;
  return {
    id: header.id,
    direction: header.direction === "in" ? "inbound" : "outbound",
    from: header.from,
    to: header.to,
    owner: header.owner,
    applicationId: header.applicationId,
    segmentCount: header.segmentCount,
    status: overallStatus(state),
    recipients: Object.entries(state.recipients)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([recipient, recipientState]) => {
        const view: RecipientView = { recipient, status: recipientStatus(recipientState) };
        const mark = decidingMark(recipientState);
        if (mark?.errorCode !== undefined && mark.status === "failed") view.errorCode = mark.errorCode;
        if (mark) Object.assign(view, { description: mark.description, time: mark.time });
        if (recipientState.outcomes.length > 1) view.conflict = true;
        return view;
      }),
    events: rows.map(toEventView),
  };
}

function toEventView(row: EventRow): EventView {
  const event = JSON.parse(row.payload) as BandwidthEventOutput;
  const forwarding: EventView["forwarding"] = { state: row.forward_state, attempts: row.attempts };
  if (row.last_error) forwarding.lastError = row.last_error;
  if (row.forward_state === "pending" && row.next_attempt_at !== null) {
    forwarding.nextAttemptAt = new Date(row.next_attempt_at).toISOString();
  }
  if (row.forwarded_at !== null) forwarding.forwardedAt = new Date(row.forwarded_at).toISOString();
  const view: EventView = {
    id: row.event_id,
    sequence: row.seq,
    type: event.type,
    event: eventName(event.type),
    recipient: event.to,
    time: event.time,
    description: event.description,
    duplicates: row.duplicates,
    acceptedAt: new Date(row.accepted_at).toISOString(),
    forwarding,
  };
  if (event.errorCode !== undefined) view.errorCode = event.errorCode;
  return view;
}
