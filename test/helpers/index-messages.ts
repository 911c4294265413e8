/**
 * Messages for the index tests, built from events the way the MessageTracker holds them (state + records), so
 * that rows go through the real mapping (src/message/index-rows.ts) before the index stores them. Pure.
 */
import * as v from "valibot";
import { type BandwidthEventOutput, BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { instantKey } from "../../src/bandwidth/time.ts";
import { type MessageIndexRows, toIndexRows } from "../../src/message/index-rows.ts";
import type { EventRecord, ForwardState } from "../../src/message/records.ts";
import { type MessageState, stateOf } from "../../src/message/status.ts";

/** What became of one outbound recipient; times are milliseconds after the message's time. */
export interface RecipientOutcome {
  status: "sending" | "sent" | "delivered" | "failed" | "read";
  errorCode?: number;
  carrier?: string;
  /** When the terminal (delivered or failed) event happened; default 5 000 ms. */
  afterMs?: number;
}

/** The message fields a test chooses; the rest have fixed values. */
export interface MessageFields {
  id: string;
  /** `message.time`, RFC 3339. */
  time: string;
  from?: string;
  applicationId?: string;
  tag?: string;
  segmentCount?: number;
}

/** A message as its tracker holds it. */
export interface HeldMessage {
  state: MessageState;
  records: EventRecord[];
}

const DEFAULT_FROM = "+15552221111";

function messageOf(fields: MessageFields, direction: "in" | "out", to: string[]) {
  return {
    id: fields.id,
    owner: fields.from ?? DEFAULT_FROM,
    time: fields.time,
    direction,
    to,
    from: fields.from ?? DEFAULT_FROM,
    text: "",
    ...(fields.applicationId === undefined ? {} : { applicationId: fields.applicationId }),
    ...(fields.tag === undefined ? {} : { tag: fields.tag }),
    ...(fields.segmentCount === undefined ? { segmentCount: 1 } : { segmentCount: fields.segmentCount }),
  };
}

function at(time: string, afterMs: number): string {
  return new Date(Date.parse(time) + afterMs).toISOString();
}

/** The events of an outbound message whose recipients ended as `outcomes` says, in time order per recipient. */
export function outboundEvents(
  fields: MessageFields,
  outcomes: Record<string, RecipientOutcome>,
): BandwidthEventOutput[] {
  const to = Object.keys(outcomes);
  const message = messageOf(fields, "out", to);
  const event = (type: string, recipient: string, afterMs: number, extra: object = {}) =>
    v.parse(BandwidthEventSchema, {
      type,
      time: at(fields.time, afterMs),
      to: recipient,
      description: "ok",
      message,
      ...extra,
    });
  return Object.entries(outcomes).flatMap(([recipient, outcome]) => {
    const afterMs = outcome.afterMs ?? 5_000;
    const carrier = outcome.carrier === undefined ? {} : { carrierName: outcome.carrier };
    const events = [event("message-sending", recipient, 0)];
    if (outcome.status !== "sending") events.push(event("message-sent", recipient, 100));
    if (outcome.status === "delivered" || outcome.status === "read") {
      events.push(event("message-delivered", recipient, afterMs, carrier));
    }
    if (outcome.status === "failed") {
      events.push(event("message-failed", recipient, afterMs, { ...carrier, errorCode: outcome.errorCode }));
    }
    if (outcome.status === "read") events.push(event("message-read", recipient, afterMs + 1_000));
    return events;
  });
}

/** The `message-received` event of an inbound message to `to` (received on the first address). */
export function inboundEvents(
  fields: MessageFields,
  to: string[] = ["+15552229999"],
): BandwidthEventOutput[] {
  const message = messageOf(fields, "in", to);
  return [
    v.parse(BandwidthEventSchema, {
      type: "message-received",
      time: fields.time,
      to: to[0],
      description: "Incoming message received",
      message,
    }),
  ];
}

/**
 * The state and records of a message holding `events`, accepted in that order at `acceptedAt`; `forwardStates`
 * gives each record's forwarding state (default delivered).
 */
export function held(
  events: readonly BandwidthEventOutput[],
  options: { acceptedAt?: number; forwardStates?: readonly ForwardState[] } = {},
): HeldMessage {
  const acceptedAt = options.acceptedAt ?? 1_000;
  const records = events.map(
    (event, index): EventRecord => ({
      seq: index + 1,
      eventId: `evt_${index + 1}_${event.type}`,
      instant: instantKey(event.time),
      event,
      statusAfter: "",
      duplicates: 0,
      acceptedAt,
      deliveries: {
        default: {
          retrySince: acceptedAt,
          state: options.forwardStates?.[index] ?? "delivered",
          attempts: 1,
          nextAttemptAt: null,
          lastError: null,
          forwardedAt: acceptedAt + 10,
          deadIndex: null,
        },
      },
    }),
  );
  return { state: stateOf(records), records };
}

/** The index rows of a message holding `events` (see {@link held}). */
export function rowsOf(
  events: readonly BandwidthEventOutput[],
  options: { quarantined?: number; updatedAt?: number; forwardStates?: readonly ForwardState[] } = {},
): MessageIndexRows {
  const message = held(events, options);
  return toIndexRows(message.state, message.records, options.quarantined ?? 0, options.updatedAt);
}
