/**
 * The identity of a Bandwidth event: what makes two deliveries the same event, and the stable id derived from it.
 */
import type { EventEnvelope } from "../bandwidth/schema.ts";

/**
 * The dedup key: exactly `type`, `message.id`, top-level `to`, `time`, `errorCode`, `eventTime`.
 * Free text such as `description` is left out on purpose, so a retry with reworded text is still a duplicate.
 * It reads the fields as sent, so a quarantined event keeps the id it will have once it is accepted.
 */
export function dedupKey(event: EventEnvelope): string {
  return JSON.stringify([
    event.type,
    event.message.id,
    event.to,
    event.time,
    event.errorCode ?? null,
    event.eventTime ?? null,
  ]);
}

/** The event's stable id (`evt_` + 32 hex digits of SHA-256 over the dedup key): the same for every retry. */
export async function eventIdOf(event: EventEnvelope): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(dedupKey(event)));
  const hex = Array.from(new Uint8Array(digest).subarray(0, 16), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
  return `evt_${hex}`;
}
