/**
 * Bandwidth's messaging event types: which direction each belongs to and its normalized name.
 */

/** Status callbacks about an outbound message, one per recipient. */
export const STATUS_EVENT_TYPES = [
  "message-sending",
  "message-sent",
  "message-delivered",
  "message-failed",
  "message-read",
] as const;

/** The RBM location response has had three spellings; all mean the same event. */
export const LOCATION_RESPONSE_TYPES = [
  "requested-location-response",
  "request-location-response",
  "location-request-response",
] as const;

/** Callbacks about an inbound message, one per owned number that received it. */
export const INBOUND_EVENT_TYPES = [
  "message-received",
  "suggestion-response",
  ...LOCATION_RESPONSE_TYPES,
] as const;

export type StatusEventType = (typeof STATUS_EVENT_TYPES)[number];
export type InboundEventType = (typeof INBOUND_EVENT_TYPES)[number];

const statusTypes: ReadonlySet<string> = new Set(STATUS_EVENT_TYPES);
const inboundTypes: ReadonlySet<string> = new Set(INBOUND_EVENT_TYPES);
const locationTypes: ReadonlySet<string> = new Set(LOCATION_RESPONSE_TYPES);

/** Whether `type` is a known outbound status event. */
export function isStatusEventType(type: string): type is StatusEventType {
  return statusTypes.has(type);
}

/** Whether `type` is a known inbound event. */
export function isInboundEventType(type: string): type is InboundEventType {
  return inboundTypes.has(type);
}

/**
 * The normalized event name: Bandwidth's type without its `message-` prefix, with the location response's
 * spellings folded into `location-response` (`message-delivered` → `delivered`, `message-foo` → `foo`).
 */
export function eventName(type: string): string {
  if (locationTypes.has(type)) return "location-response";
  return type.startsWith("message-") ? type.slice("message-".length) : type;
}
