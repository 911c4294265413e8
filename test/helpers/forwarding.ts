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
    expect(count, `deliveries of ${record.eventId}`).toBeGreaterThanOrEqual(
      record.forwardState === "delivered" ? 1 : 0,
    );
    expect(
      count,
      `deliveries of ${record.eventId} after ${record.attempts} recorded attempt(s)`,
    ).toBeLessThanOrEqual(record.attempts);
  }
}
