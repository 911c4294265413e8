/**
 * The receiver's answers as the end-to-end and fault tests read them: the operator API's views and the
 * callback acknowledgement, checked with valibot (loose where the tests read only some fields).
 */
import * as v from "valibot";

/** One event in `GET /messages/:id`. */
export const EventViewSchema = v.looseObject({
  id: v.string(),
  sequence: v.number(),
  type: v.string(),
  recipient: v.string(),
  time: v.string(),
  errorCode: v.optional(v.number()),
  traceId: v.optional(v.string()),
  forwarding: v.record(
    v.string(),
    v.looseObject({
      state: v.picklist(["pending", "delivered", "dead", "moved"]),
      attempts: v.number(),
      lastError: v.optional(v.string()),
    }),
  ),
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
