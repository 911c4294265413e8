/**
 * The normalized event: a Bandwidth callback event as a CloudEvents 1.0 JSON event, and its valibot schema
 * (the source of the published JSON Schema in schemas/).
 */

import * as v from "valibot";
import { eventName } from "../bandwidth/event-types.ts";
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import { MediaFileSchema } from "../media/media-files.ts";
import { isReconciled, RECONCILED_CLOUD_EVENT_TYPE } from "../message/reconciled-event.ts";
import { formatTraceparent, type TraceContext } from "../message/trace-context.ts";

/** The `data` of a normalized event; Bandwidth's other fields are kept beside these. */
export const NormalizedDataSchema = v.looseObject({
  messageId: v.string(),
  event: v.pipe(v.string(), v.description("Bandwidth's type without `message-`, e.g. delivered")),
  bandwidthType: v.pipe(v.string(), v.description("Bandwidth's own type, e.g. message-delivered")),
  direction: v.picklist(["inbound", "outbound"]),
  recipient: v.pipe(v.string(), v.description("the top-level `to`: the recipient this event is about")),
  from: v.string(),
  to: v.pipe(v.array(v.string()), v.description("message.to: every recipient of the message")),
  owner: v.string(),
  applicationId: v.optional(v.string()),
  segmentCount: v.optional(v.pipe(v.number(), v.integer())),
  description: v.optional(v.string()),
  errorCode: v.optional(v.pipe(v.number(), v.integer())),
  status: v.pipe(
    v.string(),
    v.description("this recipient's status after the event: unknown types leave it unchanged"),
  ),
  time: v.pipe(v.string(), v.description("the event's time")),
  messageTime: v.pipe(v.string(), v.description("message.time")),
  source: v.optional(
    v.pipe(v.literal("reconciliation"), v.description("a status found by Bandwidth's List Messages API")),
  ),
  messageStatus: v.optional(v.pipe(v.string(), v.description("reconciled: Bandwidth's messageStatus"))),
  reconciledAt: v.optional(v.pipe(v.string(), v.description("reconciled: when it was looked up"))),
  mediaFiles: v.optional(
    v.pipe(
      v.array(MediaFileSchema),
      v.description(
        "inbound MMS: each message.media file's copy (signed mirrorUrl, sha256) or why it has none",
      ),
    ),
  ),
});

/** A normalized event as the downstream receives it. */
export const NormalizedEventSchema = v.object({
  specversion: v.literal("1.0"),
  id: v.pipe(v.string(), v.description("stable for the same Bandwidth event: dedupe on it")),
  source: v.string(),
  type: v.pipe(v.string(), v.startsWith("com.bandwidth.message.")),
  subject: v.pipe(v.string(), v.description("the Bandwidth message id")),
  time: v.string(),
  sequence: v.pipe(
    v.string(),
    v.regex(/^[1-9][0-9]*$/),
    v.description("1, 2, 3 … in the order this receiver accepted the message's events"),
  ),
  datacontenttype: v.literal("application/json"),
  traceparent: v.pipe(
    v.string(),
    v.regex(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
    v.description(
      "the event's W3C trace context (CloudEvents distributed-tracing extension): its trace id (the callback's, when Bandwidth's request carried one) and the span of its acceptance; the same in every attempt",
    ),
  ),
  data: NormalizedDataSchema,
});

export type NormalizedData = v.InferOutput<typeof NormalizedDataSchema>;
export type NormalizedEvent = v.InferOutput<typeof NormalizedEventSchema>;

/** What the mapping needs besides the Bandwidth event. */
export interface EnvelopeContext {
  id: string;
  sequence: number;
  /** The recipient's status after this event was accepted. */
  status: string;
  /** The event's trace context (given at acceptance). */
  trace: TraceContext;
}

/** Maps one accepted Bandwidth event to its CloudEvent. Pure: the same inputs give the same envelope. */
export function toCloudEvent(event: BandwidthEventOutput, context: EnvelopeContext): NormalizedEvent {
  const { type, time, to, description, message, errorCode, ...otherEventFields } = event;
  const { id: messageId, direction, time: messageTime, ...otherMessageFields } = message;
  const name = eventName(type);
  const data: NormalizedData = {
    ...otherMessageFields,
    ...otherEventFields,
    messageId,
    event: name,
    bandwidthType: type,
    direction: direction === "in" ? "inbound" : "outbound",
    recipient: to,
    from: message.from,
    to: message.to,
    owner: message.owner,
    status: context.status,
    time,
    messageTime,
  };
  // Bandwidth omits these now and then: carried when sent, never invented.
  if (message.applicationId !== undefined) data.applicationId = message.applicationId;
  if (message.segmentCount !== undefined) data.segmentCount = message.segmentCount;
  if (description !== undefined) data.description = description;
  if (errorCode !== undefined) data.errorCode = errorCode;
  const application =
    message.applicationId === undefined
      ? ""
      : `/applications/${
          // toWellFormed: encodeURIComponent throws on a lone surrogate, which JSON text can carry.
          encodeURIComponent(message.applicationId.toWellFormed())
        }`;
  return {
    specversion: "1.0",
    id: context.id,
    source: `/bandwidth/messaging${application}`,
    type: isReconciled(event) ? RECONCILED_CLOUD_EVENT_TYPE : `com.bandwidth.message.${name}`,
    subject: messageId,
    time,
    sequence: String(context.sequence),
    datacontenttype: "application/json",
    traceparent: formatTraceparent(context.trace.traceId, context.trace.spanId),
    data,
  };
}
