/**
 * Fault: a throttling downstream. For the whole run, about a third of its answers are `429` with a
 * `Retry-After` of 3 s (seeded; as delay-seconds or as an HTTP date), above the 2 s backoff ceiling, so honouring
 * it is visible: after each 429 the message's next attempt waits at least 3 s. Every acknowledged event still
 * arrives, in order per message.
 */
import { describe, expect, it } from "vitest";
import type { DownstreamRequest } from "../../harness/downstream.ts";
import { seededRandom } from "../../harness/random.ts";
import { FAST_TUNING } from "../../harness/receiver.ts";
import { useStack } from "../e2e/harness/stack.ts";
import { percentile } from "./figures.ts";
import { expectPromiseKept } from "./report.ts";
import { OK, runScenario, until } from "./scenario.ts";

const TRAFFIC_SECONDS = 30;
const THROTTLED_SHARE = 0.33;
const RETRY_AFTER_S = 3;

const current = useStack();

/** For each request answered 429, the time until the next request for the same message. */
function gapsAfterThrottling(requests: readonly DownstreamRequest[]): number[] {
  const gaps: number[] = [];
  const throttledAt = new Map<string, number>();
  for (const request of requests) {
    const subject = request.event?.subject ?? "";
    const since = throttledAt.get(subject);
    if (since !== undefined) gaps.push(request.receivedAt - since);
    throttledAt.delete(subject);
    if (request.answered === 429) throttledAt.set(subject, request.receivedAt);
  }
  return gaps;
}

describe("a throttling downstream", () => {
  it("loses nothing accepted and waits the Retry-After of every 429 before the message's next attempt", async () => {
    expect(RETRY_AFTER_S * 1_000).toBeGreaterThan(Number(FAST_TUNING.FORWARD_BACKOFF_MAX_MS));
    const random = seededRandom(4_004);
    current().downstream.behaveByDefault(() => {
      if (random() >= THROTTLED_SHARE) return OK;
      // Both forms RFC 9110 allows: delay-seconds, or an HTTP date at least that far ahead (whole seconds).
      const retryAfter =
        random() < 0.5
          ? String(RETRY_AFTER_S)
          : new Date(Math.ceil(Date.now() / 1_000 + RETRY_AFTER_S) * 1_000).toUTCString();
      return { status: 429, headers: { "retry-after": retryAfter } };
    });
    const { figures } = await runScenario(
      current(),
      {
        name: "throttling-429",
        seed: 4,
        trafficSeconds: TRAFFIC_SECONDS,
        async stage(_stack, startedAt) {
          await until(startedAt, TRAFFIC_SECONDS * 1_000);
          return Date.now();
        },
      },
      () => ({
        retryAfterSeconds: RETRY_AFTER_S,
        gapAfter429Ms: (() => {
          const gaps = gapsAfterThrottling(current().downstream.requests());
          return { min: Math.min(...gaps), p50: percentile(gaps, 50), max: Math.max(...gaps) };
        })(),
      }),
    );

    expectPromiseKept(figures);
    const gaps = gapsAfterThrottling(current().downstream.requests());
    expect(figures.downstreamAnswers["429"] ?? 0).toBeGreaterThan(50);
    expect(gaps.length).toBe(figures.downstreamAnswers["429"]);
    // Honoured (never earlier; the downstream timestamps the 429's request before it answers) …
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1_000);
    // … and not merely outlasted (an HTTP date rounds up to the next whole second).
    expect(percentile(gaps, 50)).toBeLessThan(RETRY_AFTER_S * 1_000 + 3_000);
  });
});
