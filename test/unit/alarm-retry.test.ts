/**
 * The delay before the next alarm after failed runs (src/message/alarm-retry.ts): short at first, doubling,
 * capped, so that a passing fault is retried within a second and a lasting one does not spin.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALARM_RETRY_BASE_MS, ALARM_RETRY_MAX_MS, alarmRetryDelay } from "../../src/message/alarm-retry.ts";

describe("alarmRetryDelay", () => {
  it("starts at the base and doubles", () => {
    expect([1, 2, 3, 4].map(alarmRetryDelay)).toEqual([500, 1_000, 2_000, 4_000]);
  });

  it("never exceeds the cap and never drops below the base, whatever the count", () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 10_000 }), (failures) => {
        const delay = alarmRetryDelay(failures);
        expect(delay).toBeGreaterThanOrEqual(ALARM_RETRY_BASE_MS);
        expect(delay).toBeLessThanOrEqual(ALARM_RETRY_MAX_MS);
      }),
    );
  });

  it("does not shrink as failures go on", () => {
    for (let n = 1; n < 60; n++) expect(alarmRetryDelay(n + 1)).toBeGreaterThanOrEqual(alarmRetryDelay(n));
  });
});
