/**
 * The valid events every fuzzed callback starts from: Bandwidth's official examples (provided by the global
 * setup, test/bandwidth-fixtures.setup.ts) and the project's builders for the types no example covers.
 */
import { inject } from "vitest";
import { inboundEvent, statusEvent } from "../helpers/events.ts";

/** A JSON object as the fuzzer edits it. */
export type Doc = Record<string, unknown>;

const TIME = "2024-09-14T18:20:16.000Z";

function builderSeeds(): Doc[] {
  return [
    statusEvent("message-sending"),
    statusEvent("message-sent", { recipients: ["+15554443333", "+15554443334", "+15554443335"] }),
    statusEvent("message-delivered", { description: "Message delivered to handset." }),
    statusEvent("message-failed", { errorCode: 4720, description: "carrier rejected" }),
    statusEvent("message-failed", { errorCode: 9902, description: "delivery-receipt-expired" }),
    statusEvent("message-read", { extra: { eventTime: TIME } }),
    statusEvent("message-foo", { extra: { carrierName: "Some Carrier" } }),
    inboundEvent({ extra: { carrierName: "Some Carrier" } }),
    inboundEvent({ type: "suggestion-response", extra: { eventTime: TIME } }),
    inboundEvent({ type: "requested-location-response" }),
    inboundEvent({ type: "request-location-response" }),
    inboundEvent({ type: "location-request-response" }),
  ] as unknown as Doc[];
}

/** Every seed event: each event of each official example, then the builders' events. */
export function seedEvents(): Doc[] {
  const official = inject("bandwidthFixtures").flatMap(({ body }) => {
    const parsed = JSON.parse(body) as Doc | Doc[];
    return Array.isArray(parsed) ? parsed : [parsed];
  });
  return [...official, ...builderSeeds()];
}

/** A deep copy of a JSON document (RawNumber-free). */
export function copyOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
