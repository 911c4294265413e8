/**
 * The records a message keeps: its accepted events with their forwarding state, and the events it holds in
 * quarantine. Plain data, shared by the pure modules and the Durable Object that stores them.
 */
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import type { MessageState } from "./status.ts";

/** Forwarding state of one event. */
export type ForwardState = "pending" | "delivered" | "dead";

/** Index work still to do for a record: add it to, or remove it from, a list across messages. */
export type IndexWork = "add" | "remove" | null;

/** One accepted event: what Bandwidth sent, and where it stands in the outbox. */
export interface EventRecord {
  /** 1, 2, 3 … in the order this receiver accepted the message's events (the forwarding order). */
  seq: number;
  eventId: string;
  /** The event's `time` as a sortable key. */
  instant: string;
  event: BandwidthEventOutput;
  /** The recipient's status right after this event was accepted. */
  statusAfter: string;
  duplicates: number;
  acceptedAt: number;
  /** Forwarding gives up `FORWARD_MAX_AGE_HOURS` after this (acceptance, or the last redelivery). */
  retrySince: number;
  forwardState: ForwardState;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  forwardedAt: number | null;
  /** DeadLetters index work still to do for this event. */
  deadIndex: IndexWork;
}

/** A message as stored: its state (undefined before its first event) and its events in sequence order. */
export interface StoredMessage {
  state: MessageState | undefined;
  events: EventRecord[];
}

/** One problem that keeps an event in quarantine; never quotes a submitted value. */
export interface EventIssue {
  path: string;
  message: string;
}

/** An authenticated event that is not accepted (yet): invalid under the schemas, or too large to keep. */
export interface QuarantineRecord {
  eventId: string;
  /** Bandwidth's `type`, cut to a length fit for a listing. */
  type: string;
  /** The event as Bandwidth sent it, kept to re-validate after a deploy that fixed the schemas. */
  raw: unknown;
  issues: EventIssue[];
  quarantinedAt: number;
  duplicates: number;
}
