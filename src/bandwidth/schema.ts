/**
 * valibot schemas for Bandwidth Messaging v2 callbacks. Strict only where the receiver's logic needs a value
 * (the type, the times, the recipient, the message id, direction and recipients, an integer error code and
 * segment count); tolerant of everything else (`priority`, `channel`, a missing `segmentCount`,
 * `description` or `applicationId`, a direction that does not match the type, unknown fields and types), which
 * is carried as it came. Every message is written here so that no validation error can echo a phone number or
 * message text.
 */
import * as v from "valibot";
import { isRfc3339 } from "./time.ts";

/** Longest `message.id` accepted: it names a Durable Object and appears in URLs. */
export const MAX_MESSAGE_ID_LENGTH = 256;

/** An RFC 3339 date-time with any number (0–9) of fractional digits and a `Z` or numeric offset. */
export const TimeSchema = v.pipe(
  v.string("must be a string"),
  v.check(isRfc3339, "must be an RFC 3339 date-time, e.g. 2024-09-14T18:20:16.123Z"),
);

const PhoneLikeSchema = v.string("must be a string");

/** The message id: it names the message's Durable Object, so without it an event cannot be stored at all. */
export const MessageIdSchema = v.pipe(
  v.string("must be a string"),
  v.nonEmpty("must not be empty"),
  v.maxLength(MAX_MESSAGE_ID_LENGTH, `must be at most ${MAX_MESSAGE_ID_LENGTH} characters`),
);

/**
 * The part of an event without which it cannot be stored anywhere: an event that fails this is rejected with
 * a `400`; one that passes it but fails {@link BandwidthEventSchema} is quarantined in its message's object.
 */
export const EventEnvelopeSchema = v.looseObject(
  {
    type: v.pipe(v.string("must be a string"), v.nonEmpty("must not be empty")),
    message: v.looseObject({ id: MessageIdSchema }, "must be an object"),
  },
  "must be an object",
);

/** The `message` object every callback carries. Unknown fields are kept. */
export const BandwidthMessageSchema = v.looseObject({
  id: MessageIdSchema,
  owner: PhoneLikeSchema,
  applicationId: v.optional(v.string("must be a string")),
  time: TimeSchema,
  segmentCount: v.optional(
    v.pipe(
      v.number("must be a number"),
      v.integer("must be an integer"),
      v.minValue(0, "must not be negative"),
    ),
  ),
  direction: v.picklist(["in", "out"], 'must be "in" or "out"'),
  to: v.array(PhoneLikeSchema, "must be an array of strings"),
  from: PhoneLikeSchema,
  text: v.optional(v.string("must be a string")),
  tag: v.optional(v.string("must be a string")),
  media: v.optional(v.array(v.string("must be a string"), "must be an array of strings")),
  // Carried as sent: Bandwidth adds values (a new priority, a new channel) without notice.
  priority: v.optional(v.unknown()),
  channel: v.optional(v.unknown()),
});

/** Bandwidth's types are lower-case words joined by hyphens; anything else is not a type at all. */
const EventTypeSchema = v.pipe(
  v.string("must be a string"),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be an event type such as message-delivered"),
);

/**
 * One Bandwidth messaging callback event, of a known type or one Bandwidth adds later. A direction that does
 * not match the type is carried, not refused: the type decides what the event means.
 */
export const BandwidthEventSchema = v.looseObject(
  {
    type: EventTypeSchema,
    time: TimeSchema,
    to: v.string("must be a string"),
    description: v.optional(v.string("must be a string")),
    message: v.looseObject(BandwidthMessageSchema.entries, "must be an object"),
    errorCode: v.optional(v.pipe(v.number("must be a number"), v.integer("must be an integer"))),
    carrierName: v.optional(v.string("must be a string")),
    eventTime: v.optional(TimeSchema),
  },
  "must be an object",
);

export type EventEnvelope = v.InferOutput<typeof EventEnvelopeSchema>;
export type BandwidthEventInput = v.InferInput<typeof BandwidthEventSchema>;
export type BandwidthEventOutput = v.InferOutput<typeof BandwidthEventSchema>;
export type BandwidthMessageOutput = v.InferOutput<typeof BandwidthMessageSchema>;
