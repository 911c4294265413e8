/**
 * The delivery rate limit's token bucket: permits now while tokens last, one reserved slot after that, a retry
 * time past the horizon; and, whatever the demand (fast-check), attempts started with its permits stay within
 * the burst + (W + 0.8) × rate over any window of W seconds, while a steady demand still gets the full rate.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { busiestWindow } from "../../bench/lib/burst.ts";
import {
  type Bucket,
  burstOf,
  fullBucket,
  PERMIT_TTL_MS,
  RESERVE_HORIZON_MS,
  RETRY_SPREAD_MS,
  takePermits,
} from "../../src/forward/rate-limit.ts";

describe("takePermits", () => {
  it("grants up to the burst at once from a full bucket, usable for the permit's lifetime", () => {
    const { grant, bucket } = takePermits(fullBucket(100, 0), 100, 8, 1_000);
    expect(burstOf(100)).toBe(10);
    expect(burstOf(5)).toBe(1);
    expect(grant).toEqual({ count: 8, from: 1_000, until: 1_000 + PERMIT_TTL_MS });
    expect(bucket.tokens).toBe(2);
  });

  it("reserves one permit for the next slot when no whole token is left", () => {
    const empty: Bucket = { tokens: 0, at: 1_000 };
    expect(takePermits(empty, 5, 3, 1_000).grant).toEqual({
      count: 1,
      from: 1_200,
      until: 1_200 + PERMIT_TTL_MS,
    });
    // The next caller's slot comes a fifth of a second later.
    const after = takePermits(empty, 5, 1, 1_000).bucket;
    expect(takePermits(after, 5, 1, 1_000).grant).toMatchObject({ count: 1, from: 1_400 });
  });

  it("tells a caller beyond the reservation horizon when to ask again", () => {
    const deep: Bucket = { tokens: -(RESERVE_HORIZON_MS / 1000) * 5, at: 0 };
    const { grant, bucket } = takePermits(deep, 5, 1, 0);
    expect(grant.count).toBe(0);
    expect("retryAt" in grant && grant.retryAt).toBe(200);
    expect(bucket.tokens).toBe(deep.tokens);
    // Callers refused together come back spread over the next 15 s, not all at once.
    const spread = takePermits(deep, 5, 1, 0, 1).grant;
    expect("retryAt" in spread && spread.retryAt).toBe(200 + RETRY_SPREAD_MS);
  });

  it("refills at the rate, up to the burst", () => {
    const { grant } = takePermits({ tokens: 0, at: 0 }, 100, 10, 60_000);
    expect(grant.count).toBe(burstOf(100) >= 10 ? 10 : burstOf(100));
  });

  it("keeps attempts within the burst + (W + 0.8) x rate over any window (10 s: at most 11 x rate), whatever the demand and when permits are used (fast-check)", () => {
    const request = fc.record({
      gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3_000 })),
      wanted: fc.integer({ min: 1, max: 12 }),
      // Where in its usable span each permit is used: 0 at its slot, 1 at its expiry.
      use: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(request, { minLength: 1, maxLength: 400 }),
        (rate, requests) => {
          let bucket = fullBucket(rate, 0);
          let now = 0;
          const attempts: number[] = [];
          for (const { gapMs, wanted, use } of requests) {
            now += gapMs;
            const taken = takePermits(bucket, rate, wanted, now);
            bucket = taken.bucket;
            const { grant } = taken;
            if (grant.count === 0 || !("until" in grant)) continue;
            const at = grant.from + use * (grant.until - grant.from);
            for (let i = 0; i < grant.count; i += 1) attempts.push(at);
          }
          attempts.sort((a, b) => a - b);
          for (const seconds of [1, 10]) {
            const bound = burstOf(rate) + (seconds + PERMIT_TTL_MS / 1000) * rate;
            expect(busiestWindow(attempts, seconds * 1000)).toBeLessThanOrEqual(Math.floor(bound + 1e-9));
          }
          expect(busiestWindow(attempts, 10_000)).toBeLessThanOrEqual(10 * rate + rate);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("keeps 11 x rate over 10 s against the worst use: the first permits used as late as allowed, then every permit at its slot", () => {
    for (const rate of [1, 2, 5, 37, 1_000]) {
      let bucket = fullBucket(rate, 0);
      const attempts: number[] = [];
      for (let now = 0; now < 20_000; now += 5) {
        const taken = takePermits(bucket, rate, 10, now);
        bucket = taken.bucket;
        const { grant } = taken;
        if (!("until" in grant)) continue;
        const at = grant.from < PERMIT_TTL_MS ? grant.until : grant.from;
        for (let i = 0; i < grant.count; i += 1) attempts.push(at);
      }
      attempts.sort((a, b) => a - b);
      expect(busiestWindow(attempts, 10_000)).toBeLessThanOrEqual(11 * rate);
    }
  });

  it("gives a steady demand the full rate: a caller asking every 10 ms gets rate x seconds (+ the burst)", () => {
    for (const rate of [1, 5, 37, 1_000]) {
      let bucket = fullBucket(rate, 0);
      let granted = 0;
      for (let now = 0; now < 60_000; now += 10) {
        const taken = takePermits(bucket, rate, 10, now);
        bucket = taken.bucket;
        // Only immediate grants: a caller asking this often would not hold a reservation.
        if ("until" in taken.grant && taken.grant.from === now) granted += taken.grant.count;
        else if ("until" in taken.grant) granted += 1;
      }
      expect(granted).toBeGreaterThanOrEqual(Math.floor(60 * rate * 0.99));
    }
  });
});
