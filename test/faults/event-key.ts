/**
 * Which Bandwidth event a callback, a history entry or a forwarded CloudEvent is about, read the same way from
 * all three, so that the fault runs can match what was acknowledged, stored and delivered.
 */
import type { ReceivedEvent } from "../../harness/downstream.ts";
import type { BandwidthEventInput as BandwidthEvent } from "../../src/bandwidth/schema.ts";
import type { EventView } from "../e2e/harness/answers.ts";

/** The fields that make two callbacks the same Bandwidth event (DESIGN.md's dedup key; no `eventTime` here). */
export interface EventIdentity {
  messageId: string;
  type: string;
  recipient: string;
  time: string;
  errorCode?: number | undefined;
}

/** A string key for an {@link EventIdentity}. */
export function eventKey(identity: EventIdentity): string {
  const { messageId, type, recipient, time, errorCode } = identity;
  return JSON.stringify([messageId, type, recipient, time, errorCode ?? null]);
}

/** The key of a callback event as it was sent. */
export function keyOfSent(event: BandwidthEvent): string {
  return eventKey({
    messageId: event.message.id,
    type: event.type,
    recipient: event.to,
    time: event.time,
    errorCode: event.errorCode,
  });
}

/** The key of an event in `GET /messages/:id`'s history. */
export function keyOfStored(messageId: string, event: EventView): string {
  return eventKey({ messageId, ...event });
}

/** The key of a forwarded CloudEvent, from its subject and data; undefined when data lacks the fields. */
export function keyOfForwarded(event: ReceivedEvent): string | undefined {
  const { bandwidthType, recipient, time, errorCode } = event.data;
  if (typeof bandwidthType !== "string" || typeof recipient !== "string" || typeof time !== "string") {
    return undefined;
  }
  return eventKey({
    messageId: event.subject,
    type: bandwidthType,
    recipient,
    time,
    errorCode: typeof errorCode === "number" ? errorCode : undefined,
  });
}
