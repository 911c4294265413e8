/**
 * valibot schemas for Bandwidth Messaging v2 callbacks: tolerant where real payloads vary (fractional
 * seconds, non-E.164 numbers, `owner` ≠ `from`, unknown fields and types), strict where logic depends on them.
 * Every message is written here so that no validation error can echo a phone number or message text.
 */
import * as v from "valibot";
import { expectedDirection } from "./event-types.ts";
import { isRfc3339 } from "./time.ts";

/** Longest `message.id` accepted: it names a Durable Object and appears in URLs. */
export const MAX_MESSAGE_ID_LENGTH = 256;

/** An RFC 3339 date-time with any number (0–9) of fractional digits and a `Z` or numeric offset. */
export const TimeSchema = v.pipe(
  v.string("must be a string"),
  v.check(isRfc3339, "must be an RFC 3339 date-time, e.g. 2024-09-14T18:20:16.123Z"),
);

const PhoneLikeSchema = v.string("must be a string");

/** The `message` object every callback carries. Unknown fields are kept. */
export const BandwidthMessageSchema = v.looseObject({
  id: v.pipe(
    v.string("must be a string"),
    v.nonEmpty("must not be empty"),
    v.maxLength(MAX_MESSAGE_ID_LENGTH, `must be at most ${MAX_MESSAGE_ID_LENGTH} characters`),
  ),
  owner: PhoneLikeSchema,
  applicationId: v.string("must be a string"),
  time: TimeSchema,
  segmentCount: v.pipe(
    v.number("must be a number"),
    v.integer("must be an integer"),
    v.minValue(0, "must not be negative"),
  ),
  direction: v.picklist(["in", "out"], 'must be "in" or "out"'),
  to: v.array(PhoneLikeSchema, "must be an array of strings"),
  from: PhoneLikeSchema,
  text: v.optional(v.string("must be a string")),
  tag: v.optional(v.string("must be a string")),
  media: v.optional(v.array(v.string("must be a string"), "must be an array of strings")),
  priority: v.optional(v.picklist(["default", "high"], 'must be "default" or "high"')),
  channel: v.optional(v.string("must be a string")),
});

/** Bandwidth's types are lower-case words joined by hyphens; anything else is not a type at all. */
const EventTypeSchema = v.pipe(
  v.string("must be a string"),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "must be an event type such as message-delivered"),
);

/** One Bandwidth messaging callback event, of a known type or one Bandwidth adds later. */
export const BandwidthEventSchema = v.pipe(
  v.looseObject(
    {
      type: EventTypeSchema,
      time: TimeSchema,
      to: v.string("must be a string"),
      description: v.string("must be a string"),
      message: v.looseObject(BandwidthMessageSchema.entries, "must be an object"),
      errorCode: v.optional(v.pipe(v.number("must be a number"), v.integer("must be an integer"))),
      carrierName: v.optional(v.string("must be a string")),
      eventTime: v.optional(TimeSchema),
    },
    "must be an object",
  ),
  v.forward(
    v.check((event) => {
      const expected = expectedDirection(event.type);
      return expected === undefined || expected === event.message.direction;
    }, "does not match the event type (status events are out, inbound events are in)"),
    ["message", "direction"],
  ),
);

export type BandwidthEventInput = v.InferInput<typeof BandwidthEventSchema>;
export type BandwidthEventOutput = v.InferOutput<typeof BandwidthEventSchema>;
export type BandwidthMessageOutput = v.InferOutput<typeof BandwidthMessageSchema>;
