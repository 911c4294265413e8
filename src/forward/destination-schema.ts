/**
 * What a destination is: the valibot schemas of one DESTINATIONS entry and of its filter (also the source of the
 * OpenAPI document's schemas), and the validated destinations that the rest of the receiver uses.
 */
import * as v from "valibot";
import type { DeliveryTarget } from "./deliver.ts";

/** A destination's name: it names its secret, its health object and its outbox. */
export const DESTINATION_NAME_PATTERN = /^[a-z0-9-]{1,32}$/;

function integerIn(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
}

const StringsSchema = v.array(v.string("must be a string"), "must be an array of strings");

/**
 * Which events a destination receives: fields are ANDed, the values inside a field ORed; an absent field
 * matches every event, an empty list none. `operator: true` adds the receiver's own operator events.
 */
export const DestinationFilterSchema = v.strictObject(
  {
    events: v.optional(StringsSchema),
    direction: v.optional(v.picklist(["inbound", "outbound"], 'must be "inbound" or "outbound"')),
    applicationIds: v.optional(StringsSchema),
    tags: v.optional(StringsSchema),
    errorCodes: v.optional(
      v.array(
        v.pipe(v.number("must be an integer"), v.integer("must be an integer")),
        "must be an array of integers",
      ),
    ),
    operator: v.optional(v.boolean("must be true or false")),
  },
  "must be an object",
);

/** A destination's name, as configured and as the operator API takes it. */
export const DestinationNameSchema = v.pipe(
  v.string("must be a string"),
  v.regex(DESTINATION_NAME_PATTERN, "must be 1 to 32 characters of a-z, 0-9 and -"),
);

/** One entry of DESTINATIONS as written; {@link parseDestinations} checks what a schema cannot. */
export const DestinationEntrySchema = v.strictObject(
  {
    name: DestinationNameSchema,
    url: v.optional(v.string("must be a string")),
    queue: v.optional(v.pipe(v.string("must be a string"), v.nonEmpty("must not be empty"))),
    timeoutMs: v.optional(integerIn(100, 60_000)),
    maxAgeHours: v.optional(integerIn(1, 720)),
    maxPerSecond: v.optional(integerIn(1, 10_000)),
    filter: v.optional(DestinationFilterSchema),
  },
  "must be an object",
);

export type DestinationFilter = v.InferOutput<typeof DestinationFilterSchema>;

interface DestinationBase {
  name: string;
  /** Absent: every event, and no operator events. */
  filter?: DestinationFilter;
  timeoutMs: number;
  /** How long an event is retried for this destination, from when the receiver accepted it. */
  maxAgeMs: number;
  /** The most attempts per second to this destination, across messages (absent: no limit, no cost). */
  maxPerSecond?: number;
}

/** An HTTP destination: signed CloudEvents POSTed to `target.url`. */
export interface HttpDestination extends DestinationBase {
  kind: "http";
  target: DeliveryTarget;
}

/** A Cloudflare Queues destination: the CloudEvent JSON as the message body, unsigned. */
export interface QueueDestination extends DestinationBase {
  kind: "queue";
  /** The name of the Queues producer binding. */
  queue: string;
}

export type Destination = HttpDestination | QueueDestination;
