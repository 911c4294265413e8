/**
 * The forwarding retry policy: which outcomes are retried, Retry-After, capped backoff with jitter, and when an
 * event is given up on.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AttemptOutcome,
  backoffMs,
  classifyAttempt,
  nextAttemptAt,
  type RetryPolicy,
  retryAfterMs,
} from "../../src/forward/retry.ts";

const HOUR = 3_600_000;
const POLICY: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 600_000, maxAgeMs: 24 * HOUR };
const NOW = Date.UTC(2024, 8, 14, 18, 20, 16);

function response(status: number, retryAfter?: string): AttemptOutcome {
  return { kind: "response", status, retryAfter };
}

describe("classifyAttempt", () => {
  it.each([200, 201, 202, 204, 299])("HTTP %i is delivered", (status) => {
    expect(classifyAttempt(response(status))).toBe("delivered");
  });

  it.each([500, 502, 503, 504, 599, 408, 429])("HTTP %i is retried", (status) => {
    expect(classifyAttempt(response(status))).toBe("retry");
  });

  it("a timeout is retried", () => {
    expect(classifyAttempt({ kind: "timeout" })).toBe("retry");
  });

  it("a network error is retried", () => {
    expect(classifyAttempt({ kind: "network", error: "TypeError: connection refused" })).toBe("retry");
  });

  it.each([400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 300, 301, 302, 307, 308, 304, 100])(
    "HTTP %i makes the event dead",
    (status) => {
      expect(classifyAttempt(response(status))).toBe("dead");
    },
  );
});

describe("retryAfterMs", () => {
  it("reads delta-seconds", () => {
    expect(retryAfterMs("5", NOW)).toBe(5000);
    expect(retryAfterMs(" 120 ", NOW)).toBe(120_000);
    expect(retryAfterMs("0", NOW)).toBe(0);
  });

  it("reads an HTTP date as the time left until it", () => {
    const inOneMinute = new Date(NOW + 60_000).toUTCString();
    expect(retryAfterMs(inOneMinute, NOW)).toBe(60_000);
  });

  it("gives 0 for a date in the past", () => {
    expect(retryAfterMs(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it.each([null, undefined, "", "soon", "-5", "NaN"])("gives 0 for %s", (header) => {
    expect(retryAfterMs(header, NOW)).toBe(0);
  });
});

describe("backoffMs", () => {
  it("grows exponentially from the base until the cap", () => {
    const policy: RetryPolicy = { baseDelayMs: 1000, maxDelayMs: 10_000, maxAgeMs: HOUR };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffMs(attempt, policy, 0.999_999))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
  });

  it("is always within [ceiling/2, ceiling] of min(max, base·2^(attempt−1)), and never above the cap", () => {
    const arb = fc
      .record({
        baseDelayMs: fc.integer({ min: 1, max: 3_600_000 }),
        extra: fc.integer({ min: 0, max: 86_400_000 }),
        attempt: fc.integer({ min: 1, max: 2000 }),
        random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      })
      .map(({ baseDelayMs, extra, attempt, random }) => ({
        policy: { baseDelayMs, maxDelayMs: baseDelayMs + extra, maxAgeMs: 24 * HOUR },
        attempt,
        random,
      }));
    fc.assert(
      fc.property(arb, ({ policy, attempt, random }) => {
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
        const delay = backoffMs(attempt, policy, random);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
      }),
      { numRuns: 2000 },
    );
  });

  it("spreads retries: different random draws give different delays", () => {
    expect(backoffMs(3, POLICY, 0)).toBe(2000);
    expect(backoffMs(3, POLICY, 0.5)).toBe(3000);
  });
});

describe("nextAttemptAt", () => {
  const base = { attempt: 1, now: NOW, acceptedAt: NOW, policy: POLICY, random: 0.5 };

  it("schedules the next attempt after the backoff", () => {
    expect(nextAttemptAt(base)).toBe(NOW + backoffMs(1, POLICY, 0.5));
  });

  it("is dead once the max age has passed since the receiver accepted the event", () => {
    expect(nextAttemptAt({ ...base, acceptedAt: NOW - POLICY.maxAgeMs })).toBe("dead");
    expect(nextAttemptAt({ ...base, acceptedAt: NOW - POLICY.maxAgeMs - 1 })).toBe("dead");
  });

  it("is not dead one millisecond before the max age, and the attempt is clamped to the deadline", () => {
    const acceptedAt = NOW - POLICY.maxAgeMs + 1;
    expect(nextAttemptAt({ ...base, acceptedAt })).toBe(acceptedAt + POLICY.maxAgeMs);
  });

  it("honours Retry-After in seconds", () => {
    const next = nextAttemptAt({ ...base, retryAfter: "5" });
    expect(typeof next === "number" && next >= NOW + 5000).toBe(true);
  });

  it("reads Retry-After as delta-seconds only when it is all digits", () => {
    expect(retryAfterMs("120", NOW)).toBe(120_000);
    expect(retryAfterMs("120x", NOW)).toBe(0);
    expect(retryAfterMs(" 7 ", NOW)).toBe(7_000);
  });

  it("honours Retry-After as an HTTP date", () => {
    const next = nextAttemptAt({ ...base, retryAfter: new Date(NOW + 90_000).toUTCString() });
    expect(next).toBe(NOW + 90_000);
  });

  it("keeps the backoff when Retry-After asks for less", () => {
    const policy: RetryPolicy = { ...POLICY, baseDelayMs: 60_000 };
    expect(nextAttemptAt({ ...base, policy, random: 0, retryAfter: "1" })).toBe(NOW + 30_000);
  });

  it("clamps a Retry-After beyond the deadline to the deadline, so a last attempt still runs", () => {
    const acceptedAt = NOW - POLICY.maxAgeMs + 10_000;
    expect(nextAttemptAt({ ...base, acceptedAt, retryAfter: "3600" })).toBe(acceptedAt + POLICY.maxAgeMs);
  });

  it("is always dead or between now and the deadline", () => {
    const arb = fc.record({
      attempt: fc.integer({ min: 1, max: 100 }),
      age: fc.integer({ min: 0, max: 30 * HOUR }),
      retryAfter: fc.option(fc.integer({ min: 0, max: 200_000 }).map(String), { nil: undefined }),
      random: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ attempt, age, retryAfter, random }) => {
        const acceptedAt = NOW - age;
        const next = nextAttemptAt({ attempt, now: NOW, acceptedAt, retryAfter, policy: POLICY, random });
        if (age >= POLICY.maxAgeMs) return next === "dead";
        return typeof next === "number" && next > NOW && next <= acceptedAt + POLICY.maxAgeMs;
      }),
      { numRuns: 1000 },
    );
  });
});
