/**
 * The queue message body as this consumer reads it: the receiver's CloudEvent (JSON). Only the attributes the
 * consumer relies on are checked; `data` and anything else ride along untouched.
 */
import * as v from "valibot";

/** A CloudEvent from the receiver: a normalized Bandwidth event, or an operator event (no `sequence`). */
export const QueuedEventSchema = v.looseObject({
  specversion: v.literal("1.0"),
  /** Stable for the same event across retries and redeliveries: the deduplication key. */
  id: v.pipe(v.string(), v.nonEmpty()),
  type: v.string(),
  /** The Bandwidth message id (a destination's name for an operator event). */
  subject: v.pipe(v.string(), v.nonEmpty()),
  time: v.string(),
  /** "1", "2", … per message, in the order the receiver accepted the message's events. */
  sequence: v.optional(v.pipe(v.string(), v.regex(/^[1-9][0-9]{0,14}$/), v.transform(Number))),
  data: v.record(v.string(), v.unknown()),
});

export type QueuedEvent = v.InferOutput<typeof QueuedEventSchema>;
