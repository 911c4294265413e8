/**
 * Bandwidth callback events for the end-to-end tests, written from DESIGN.md as plain objects, and the
 * operator API's answers as the tests read them.
 */
import * as v from "valibot";

/** A Bandwidth messaging callback event (the fields the tests set). */
export interface BandwidthEvent {
  type: string;
  time: string;
  to: string;
  description: string;
  errorCode?: number;
  message: {
    id: string;
    owner: string;
    applicationId: string;
    time: string;
    segmentCount: number;
    direction: "out" | "in";
    to: string[];
    from: string;
    text: string;
  };
}

const APPLICATION_ID = "93de2206-9669-4e07-948d-329f4b722ee2";
const SENDER = "+15552221111";
const RECIPIENT = "+15554443333";
let counter = 0;

/** A message id unique to this run and call, e.g. `e2e-retry-lx3k2a-1-q8w2e1`. */
export function uniqueMessageId(label: string): string {
  counter++;
  return `e2e-${label}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/** RFC 3339 UTC with milliseconds, `offsetMs` after a fixed base instant. */
export function rfc3339(offsetMs: number): string {
  return new Date(Date.UTC(2024, 8, 14, 18, 20, 0) + offsetMs).toISOString();
}

/**
 * An outbound status event (`message-sending`, `message-sent`, `message-delivered`, `message-failed`, …)
 * for message `id` and one recipient; `step` orders the events of one message in time.
 */
export function statusEvent(
  type: string,
  id: string,
  options: { step?: number; to?: string; errorCode?: number } = {},
): BandwidthEvent {
  const to = options.to ?? RECIPIENT;
  const event: BandwidthEvent = {
    type,
    time: rfc3339(1_000 * (options.step ?? 0) + 1_000),
    to,
    description: type === "message-failed" ? "rejected" : "ok",
    message: {
      id,
      owner: SENDER,
      applicationId: APPLICATION_ID,
      time: rfc3339(0),
      segmentCount: 1,
      direction: "out",
      to: [to],
      from: SENDER,
      text: "",
    },
  };
  if (options.errorCode !== undefined) event.errorCode = options.errorCode;
  return event;
}

/** The usual life of an outbound message: sending, sent, delivered, in that time order. */
export function outboundLifecycle(id: string): BandwidthEvent[] {
  return [
    statusEvent("message-sending", id, { step: 0 }),
    statusEvent("message-sent", id, { step: 1 }),
    statusEvent("message-delivered", id, { step: 2 }),
  ];
}

/** One event in `GET /messages/:id`. */
export const EventViewSchema = v.looseObject({
  id: v.string(),
  sequence: v.number(),
  type: v.string(),
  recipient: v.string(),
  time: v.string(),
  errorCode: v.optional(v.number()),
  forwarding: v.looseObject({
    state: v.picklist(["pending", "delivered", "dead"]),
    attempts: v.number(),
    lastError: v.optional(v.string()),
  }),
});

/** The body of `GET /messages/:id`, as far as the tests read it. */
export const MessageViewSchema = v.looseObject({
  id: v.string(),
  direction: v.string(),
  status: v.string(),
  recipients: v.array(v.looseObject({ recipient: v.string(), status: v.string() })),
  events: v.array(EventViewSchema),
});

/** One item of `GET /dead-letters`. */
export const DeadLetterItemSchema = v.looseObject({
  eventId: v.string(),
  messageId: v.string(),
  sequence: v.number(),
  type: v.string(),
  attempts: v.number(),
  lastError: v.string(),
  deadAt: v.string(),
});

/** The body of `GET /dead-letters`. */
export const DeadLetterPageSchema = v.looseObject({
  items: v.array(DeadLetterItemSchema),
  total: v.number(),
  nextCursor: v.optional(v.string()),
});

/** The body of `POST /callbacks/messaging` when it answers 200. */
export const AckSchema = v.strictObject({ accepted: v.number(), duplicates: v.number() });

export type EventView = v.InferOutput<typeof EventViewSchema>;
export type MessageView = v.InferOutput<typeof MessageViewSchema>;
export type DeadLetterItem = v.InferOutput<typeof DeadLetterItemSchema>;
export type DeadLetterPage = v.InferOutput<typeof DeadLetterPageSchema>;
