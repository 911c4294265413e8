/**
 * The delivery state of one message as a join-semilattice over its events: the state is a function of the
 * *set* of events, so any order and any duplication of the same events gives the same state.
 * `join` is commutative, associative and idempotent; `stateOf` folds it over a set of events.
 */
import { eventName, isInboundEventType, isStatusEventType } from "../bandwidth/event-types.ts";
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import { instantKey } from "../bandwidth/time.ts";

/** What one event says about its recipient's status, with what is needed to order it against others. */
export interface StatusMark {
  status: string;
  time: string;
  instant: string;
  eventId: string;
  description?: string;
  errorCode?: number;
}

/** A recipient's state: the best mark of each kind seen, and which terminal outcomes were reported. */
export interface RecipientState {
  progress?: StatusMark;
  terminal?: StatusMark;
  read?: StatusMark;
  /** Sorted terminal statuses seen; both `delivered` and `failed` means Bandwidth reported a conflict. */
  outcomes: string[];
}

/** The message-level fields, taken from the latest event (by time, then id) so that they are order-independent. */
export interface MessageHeader {
  instant: string;
  eventId: string;
  id: string;
  direction: "in" | "out";
  from: string;
  to: string[];
  owner: string;
  applicationId?: string;
  segmentCount?: number;
}

/** The state of one message. */
export interface MessageState {
  header: MessageHeader;
  recipients: Record<string, RecipientState>;
}

/** The minimum of an event that the state needs, plus its stable id. */
export interface IdentifiedEvent {
  eventId: string;
  event: BandwidthEventOutput;
}

const PROGRESS_RANK: Record<string, number> = { sending: 1, sent: 2 };

/** The state that a single event implies. */
export function stateOfEvent({ eventId, event }: IdentifiedEvent): MessageState {
  const { message } = event;
  const instant = instantKey(event.time);
  const header: MessageHeader = {
    instant,
    eventId,
    id: message.id,
    direction: message.direction,
    from: message.from,
    to: [...message.to],
    owner: message.owner,
  };
  if (message.applicationId !== undefined) header.applicationId = message.applicationId;
  if (message.segmentCount !== undefined) header.segmentCount = message.segmentCount;
  const recipients = emptyRecipients();
  // Outbound recipients that have not been reported on yet still belong to the message.
  if (message.direction === "out") for (const to of message.to) recipients[to] = { outcomes: [] };
  recipients[event.to] = recipientStateOf(eventId, event, instant);
  return { header, recipients };
}

function recipientStateOf(eventId: string, event: BandwidthEventOutput, instant: string): RecipientState {
  const status = eventName(event.type);
  const mark: StatusMark = { status, time: event.time, instant, eventId };
  if (event.description !== undefined) mark.description = event.description;
  if (event.errorCode !== undefined) mark.errorCode = event.errorCode;
  if (!isStatusEventType(event.type)) {
    return isInboundEventType(event.type) ? { progress: mark, outcomes: [] } : { outcomes: [] };
  }
  if (status === "delivered" || status === "failed") return { terminal: mark, outcomes: [status] };
  if (status === "read") return { read: mark, outcomes: [] };
  return { progress: mark, outcomes: [] };
}

/** The join of two states of the same message: commutative, associative and idempotent. */
export function join(a: MessageState, b: MessageState): MessageState {
  const header = compareHeader(a.header, b.header) >= 0 ? a.header : b.header;
  const recipients = Object.assign(emptyRecipients(), a.recipients);
  for (const [recipient, state] of Object.entries(b.recipients)) {
    const existing = recipients[recipient];
    recipients[recipient] = existing ? joinRecipient(existing, state) : state;
  }
  return { header, recipients };
}

function joinRecipient(a: RecipientState, b: RecipientState): RecipientState {
  const joined: RecipientState = {
    outcomes: [...new Set([...a.outcomes, ...b.outcomes])].sort(),
  };
  const progress = pick(a.progress, b.progress, compareProgress);
  const terminal = pick(a.terminal, b.terminal, compareTerminal);
  const read = pick(a.read, b.read, compareByTime);
  if (progress) joined.progress = progress;
  if (terminal) joined.terminal = terminal;
  if (read) joined.read = read;
  return joined;
}

/** A prototype-less record, so that a recipient named `__proto__` is an ordinary key. */
function emptyRecipients(): Record<string, RecipientState> {
  return Object.create(null) as Record<string, RecipientState>;
}

function pick<T>(a: T | undefined, b: T | undefined, compare: (x: T, y: T) => number): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compare(a, b) >= 0 ? a : b;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareByTime(a: StatusMark, b: StatusMark): number {
  return compareText(a.instant, b.instant) || compareText(a.eventId, b.eventId);
}

function compareProgress(a: StatusMark, b: StatusMark): number {
  return (PROGRESS_RANK[a.status] ?? 0) - (PROGRESS_RANK[b.status] ?? 0) || compareByTime(a, b);
}

/** Later time wins; at the same time `failed` wins over `delivered`. */
function compareTerminal(a: StatusMark, b: StatusMark): number {
  const byInstant = compareText(a.instant, b.instant);
  if (byInstant !== 0) return byInstant;
  const failedFirst = Number(a.status === "failed") - Number(b.status === "failed");
  return failedFirst || compareText(a.eventId, b.eventId);
}

function compareHeader(a: MessageHeader, b: MessageHeader): number {
  return compareText(a.instant, b.instant) || compareText(a.eventId, b.eventId);
}

/** The state implied by a non-empty set of events of one message. */
export function stateOf(events: readonly IdentifiedEvent[]): MessageState {
  const [first, ...rest] = events;
  if (!first) throw new RangeError("stateOf needs at least one event");
  return rest.reduce((state, event) => join(state, stateOfEvent(event)), stateOfEvent(first));
}

/** The mark that decides a recipient's status: a read beats a terminal outcome, which beats progress. */
export function decidingMark(state: RecipientState): StatusMark | undefined {
  return state.read ?? state.terminal ?? state.progress;
}

/** A recipient's status, `unknown` until an event of a known type reports on it. */
export function recipientStatus(state: RecipientState | undefined): string {
  return (state && decidingMark(state)?.status) ?? "unknown";
}

/** The message's status: the recipients' common status, or `mixed` when they differ. */
export function overallStatus(state: MessageState): string {
  const statuses = new Set(Object.values(state.recipients).map(recipientStatus));
  return statuses.size === 1 ? ([...statuses][0] ?? "unknown") : "mixed";
}
