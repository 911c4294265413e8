/**
 * What "forwarded at least once, never twice for one Bandwidth event" means when the downstream answers 2xx in
 * time: an event may reach the downstream more than once only when the receiver recorded a failed attempt
 * before (a timeout on a busy machine); with one recorded attempt it must arrive exactly once.
 */
import { expect } from "vitest";
import type { EventRecord } from "../../src/message/records.ts";

/** Checks the downstream's deliveries (webhook ids, in arrival order) against the stored attempts. */
export function expectForwardedOnceUnlessRetried(
  deliveries: readonly string[],
  records: readonly EventRecord[],
): void {
  for (const record of records) {
    const count = deliveries.filter((id) => id === record.eventId).length;
    const sent = Object.values(record.deliveries);
    const attempts = sent.reduce((sum, delivery) => sum + delivery.attempts, 0);
    const delivered = sent.filter((delivery) => delivery.state === "delivered").length;
    expect(count, `deliveries of ${record.eventId}`).toBeGreaterThanOrEqual(delivered);
    expect(
      count,
      `deliveries of ${record.eventId} after ${attempts} recorded attempt(s)`,
    ).toBeLessThanOrEqual(attempts);
  }
}
