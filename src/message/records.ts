/**
 * The records a message keeps: its accepted events with their forwarding state, and the events it holds in
 * quarantine. Plain data, shared by the pure modules and the Durable Object that stores them.
 */

import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import type { MediaRound } from "../media/media-step.ts";
import type { MessageState } from "./status.ts";
import type { TraceContext } from "./trace-context.ts";

/**
 * Forwarding state of one event to one destination: `moved` when the destination was removed and its dead
 * event was redelivered to another one.
 */
export type ForwardState = "pending" | "delivered" | "dead" | "moved";

/** Index work still to do for a record: add it to, or remove it from, a list across messages. */
export type IndexWork = "add" | "remove" | null;

/** Where one event stands in the outbox of one destination. */
export interface Delivery {
  state: ForwardState;
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  forwardedAt: number | null;
  /** Forwarding gives up the destination's max age after this (acceptance, or the last redelivery). */
  retrySince: number;
  /** DeadLetters index work still to do for this event and destination. */
  deadIndex: IndexWork;
}

/** One accepted event: what Bandwidth sent, and where it stands in the outbox of each of its destinations. */
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
  /** The destinations the event was routed to when it was accepted, for good, each with its delivery. */
  deliveries: Record<string, Delivery>;
  /**
   * The event's W3C trace context, given when it was accepted (absent from records stored before it existed:
   * trace-context.ts `traceOf` derives one from the event id).
   */
  trace?: TraceContext;
  /**
   * An inbound event with media, while media copies are on: held from every destination until its copies
   * settle (`settled`), then forwarded with them.
   */
  media?: MediaHold;
}

/** Where an event's media copies stand. */
export interface MediaHold {
  settled: boolean;
  /** The last copy round (absent before the first). */
  round?: MediaRound;
  /** When to copy again what failed, while not settled. */
  retryAt?: number;
}

/** A message's place in the sharded index (see message/index-placement.ts). */
export interface IndexPlacement {
  /** The D1 binding name of its shard. */
  shard: string;
  /** The message times under which its row may be stored (normally one). */
  times: number[];
}

/** A message as stored: its state (undefined before its first event) and its events in sequence order. */
export interface StoredMessage {
  state: MessageState | undefined;
  events: EventRecord[];
  /** Where its index rows live (message/index-placement.ts); absent until its first index write is planned. */
  index?: IndexPlacement;
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

/** A new delivery, pending now. */
export function pendingDelivery(now: number): Delivery {
  return {
    state: "pending",
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    forwardedAt: null,
    retrySince: now,
    deadIndex: null,
  };
}
