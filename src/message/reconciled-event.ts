/**
 * A List Messages answer → the events reconciliation records. Each terminal `messageStatus` found for an
 * unsettled recipient becomes an event shaped like Bandwidth's own callback (`message-delivered` or
 * `message-failed`, the message's fields from its state), with `"source": "reconciliation"`, so that it goes
 * through the same schema, dedup and status join as any callback. Its `time` is the message's own time: the
 * same answer read twice is a duplicate, and any real terminal callback (always later) outranks it.
 */
import type { ListMessageItem } from "../bandwidth/list-messages.ts";
import { checkEvent } from "../bandwidth/parse.ts";
import type { BandwidthEventOutput, EventEnvelope } from "../bandwidth/schema.ts";
import type { IngestItem } from "./accept.ts";
import { eventIdOf } from "./event-id.ts";
import type { MessageState } from "./status.ts";

/** The `source` that marks a reconciled event (and makes its CloudEvent `com.bandwidth.message.reconciled`). */
export const RECONCILIATION_SOURCE = "reconciliation";

/** The CloudEvent type of a reconciled event. */
export const RECONCILED_CLOUD_EVENT_TYPE = "com.bandwidth.message.reconciled";

/** Bandwidth's error code for "no delivery receipt" (the callback's 9902), used for DLR_EXPIRED without one. */
const NO_RECEIPT_ERROR = 9902;

/**
 * The callback type a List Messages `messageStatus` stands for, or undefined while it is not terminal
 * (QUEUED, SENDING, SENT, ACCEPTED, RECEIVED, and any status Bandwidth adds later).
 */
export function terminalTypeOf(messageStatus: string): "message-delivered" | "message-failed" | undefined {
  switch (messageStatus.toUpperCase()) {
    case "DELIVERED":
      return "message-delivered";
    case "FAILED":
    case "UNDELIVERED":
    case "DLR_EXPIRED":
      return "message-failed";
    default:
      return undefined;
  }
}

/** The events a lookup found, and the recipients it leaves without a terminal status. */
export interface ReconciledEvents {
  events: BandwidthEventOutput[];
  stillUnsettled: string[];
}

/**
 * The events to record for `recipients` (the unsettled ones) from `items`: the first item with a terminal
 * status per recipient, matched on `messageId` and `destinationTn`. `messageTime` is `message.time`.
 */
export function reconciledEvents(input: {
  state: MessageState;
  messageTime: string;
  recipients: readonly string[];
  items: readonly ListMessageItem[];
  now: number;
}): ReconciledEvents {
  const { state, messageTime, recipients, items, now } = input;
  const events: BandwidthEventOutput[] = [];
  const stillUnsettled: string[] = [];
  for (const recipient of recipients) {
    const item = items.find(
      (candidate) =>
        candidate.messageId === state.header.id &&
        candidate.destinationTn === recipient &&
        terminalTypeOf(candidate.messageStatus) !== undefined,
    );
    const event = item && toReconciledEvent(state, messageTime, recipient, item, now);
    if (event) events.push(event);
    else stillUnsettled.push(recipient);
  }
  return { events, stillUnsettled };
}

/** One item as a callback-shaped event, validated by the callback schema; undefined when it is not terminal. */
export function toReconciledEvent(
  state: MessageState,
  messageTime: string,
  recipient: string,
  item: ListMessageItem,
  now: number,
): BandwidthEventOutput | undefined {
  const type = terminalTypeOf(item.messageStatus);
  if (!type) return undefined;
  const { header } = state;
  const message: Record<string, unknown> = {
    id: header.id,
    owner: header.owner,
    time: messageTime,
    direction: header.direction,
    to: [...header.to],
    from: header.from,
  };
  if (header.applicationId !== undefined) message.applicationId = header.applicationId;
  if (header.segmentCount !== undefined) message.segmentCount = header.segmentCount;
  const event: Record<string, unknown> = {
    type,
    time: messageTime,
    to: recipient,
    description: `reconciled from Bandwidth's List Messages API: ${item.messageStatus}`,
    message,
    source: RECONCILIATION_SOURCE,
    messageStatus: item.messageStatus,
    reconciledAt: new Date(now).toISOString(),
  };
  const errorCode = errorCodeOf(item, type);
  if (errorCode !== undefined) event.errorCode = errorCode;
  if (typeof item.carrierName === "string") event.carrierName = item.carrierName;
  const checked = checkEvent(event as EventEnvelope);
  return checked.valid ? checked.event : undefined;
}

/** Bandwidth's error code when it means something: any non-zero code, or 9902 for DLR_EXPIRED without one. */
function errorCodeOf(item: ListMessageItem, type: string): number | undefined {
  if (typeof item.errorCode === "number" && item.errorCode !== 0) return item.errorCode;
  if (type === "message-failed" && item.messageStatus.toUpperCase() === "DLR_EXPIRED")
    return NO_RECEIPT_ERROR;
  return undefined;
}

/** The events as the tracker ingests them (stable ids, so a repeated answer is a duplicate). */
export async function toIngestItems(events: readonly BandwidthEventOutput[]): Promise<IngestItem[]> {
  return Promise.all(events.map(async (event) => ({ eventId: await eventIdOf(event), valid: true, event })));
}

/** Whether an accepted event was recorded by reconciliation (for the CloudEvent type, and the console). */
export function isReconciled(event: BandwidthEventOutput): boolean {
  return (event as { source?: unknown }).source === RECONCILIATION_SOURCE;
}
