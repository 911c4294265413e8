/**
 * When a message's media copies are done with (src/media/copy-schedule.ts): the event waits while a copy may
 * still succeed, with a capped backoff honouring Retry-After, for at most 24 h; then it goes without them.
 */
import { describe, expect, it } from "vitest";
import type { MediaCopy } from "../../src/media/copy.ts";
import { MEDIA_COPY_MAX_AGE_MS, planMediaCopies } from "../../src/media/copy-schedule.ts";

const T0 = Date.parse("2026-03-01T12:00:00Z");
const COPIED: MediaCopy = {
  state: "copied",
  url: "u0",
  n: 0,
  name: "a.png",
  key: "media/m/0/a.png",
  contentType: "image/png",
  size: 1,
  sha256: "0".repeat(64),
};
const RETRY: MediaCopy = { state: "retry", url: "u1", n: 1, error: "HTTP 503" };

describe("planMediaCopies", () => {
  it("forwards at once when nothing is left to retry", () => {
    const copies: MediaCopy[] = [COPIED, { state: "failed", url: "u1", n: 1, error: "not found (404)" }];
    expect(planMediaCopies(copies, { firstAttemptAt: T0, rounds: 1, now: T0 })).toEqual({
      kind: "forward",
      copies,
    });
  });

  it("retries after 1 min, doubling per round up to an hour", () => {
    const waits = [1, 2, 3, 7, 8].map((rounds) => {
      const plan = planMediaCopies([COPIED, RETRY], { firstAttemptAt: T0, rounds, now: T0 });
      return plan.kind === "retry" ? (plan.at - T0) / 60_000 : Number.NaN;
    });
    expect(waits).toEqual([1, 2, 4, 60, 60]);
  });

  it("waits at least as long as a 429 asked", () => {
    const limited: MediaCopy = { ...RETRY, retryAfterMs: 600_000 };
    expect(planMediaCopies([limited], { firstAttemptAt: T0, rounds: 1, now: T0 })).toEqual({
      kind: "retry",
      at: T0 + 600_000,
    });
  });

  it("makes the last round at the 24 h deadline, then lists what still failed and forwards", () => {
    const late = T0 + MEDIA_COPY_MAX_AGE_MS - 60_000;
    expect(planMediaCopies([RETRY], { firstAttemptAt: T0, rounds: 9, now: late })).toEqual({
      kind: "retry",
      at: T0 + MEDIA_COPY_MAX_AGE_MS,
    });
    expect(
      planMediaCopies([COPIED, RETRY], { firstAttemptAt: T0, rounds: 10, now: T0 + MEDIA_COPY_MAX_AGE_MS }),
    ).toEqual({
      kind: "forward",
      copies: [COPIED, { state: "failed", url: "u1", n: 1, error: "HTTP 503; gave up after 24 h" }],
    });
  });
});
