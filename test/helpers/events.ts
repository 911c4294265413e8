/**
 * Builders of Bandwidth callback events for every test suite (workerd, end-to-end, faults), written from the
 * facts in DESIGN.md (not Bandwidth's data). Pure: no Workers or Node API.
 */
import type { BandwidthEventInput } from "../../src/bandwidth/schema.ts";

let counter = 0;

/** When an event with `step` 0 happens; step n is n seconds later. */
const FIRST_EVENT_AT = Date.parse("2024-09-14T18:20:16.000Z");

/** A fresh message id, unique per call, so every test gets its own Durable Object. */
export function newMessageId(prefix = "msg"): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * An outbound status event (`message-sending`, `message-sent`, `message-delivered`, `message-failed`, …) for
 * one recipient; `step` orders the events of one message in time (unless `time` is given), `extra` adds or
 * replaces top-level fields.
 */
export function statusEvent(
  type: string,
  options: {
    id?: string;
    to?: string;
    recipients?: string[];
    step?: number;
    time?: string;
    errorCode?: number;
    description?: string;
    extra?: Record<string, unknown>;
  } = {},
): BandwidthEventInput {
  const to = options.to ?? "+15554443333";
  const event: Record<string, unknown> = {
    type,
    time: options.time ?? new Date(FIRST_EVENT_AT + 1_000 * (options.step ?? 0)).toISOString(),
    description: options.description ?? "ok",
    to,
    message: {
      id: options.id ?? newMessageId(),
      owner: "+15552221111",
      applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
      time: "2024-09-14T18:20:15.000Z",
      segmentCount: 1,
      direction: "out",
      to: options.recipients ?? [to],
      from: "+15552221111",
      text: "",
      tag: "test",
    },
    ...options.extra,
  };
  if (options.errorCode !== undefined) event.errorCode = options.errorCode;
  return event as BandwidthEventInput;
}

/** The usual life of an outbound message: sending, sent, delivered, in that time order. */
export function outboundLifecycle(id: string): BandwidthEventInput[] {
  return [
    statusEvent("message-sending", { id, step: 0 }),
    statusEvent("message-sent", { id, step: 1 }),
    statusEvent("message-delivered", { id, step: 2 }),
  ];
}

/** An inbound event (`message-received` unless `type` says otherwise). */
export function inboundEvent(
  options: { id?: string; type?: string; time?: string; extra?: Record<string, unknown> } = {},
): BandwidthEventInput {
  return {
    type: options.type ?? "message-received",
    time: options.time ?? "2024-09-14T18:20:16.000Z",
    description: "Incoming message received",
    to: "+15552221111",
    message: {
      id: options.id ?? newMessageId("in"),
      owner: "+15552221111",
      applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
      time: "2024-09-14T18:20:16.000Z",
      segmentCount: 1,
      direction: "in",
      to: ["+15552221111"],
      from: "+15557778888",
      text: "Hello there",
    },
    ...options.extra,
  } as BandwidthEventInput;
}
