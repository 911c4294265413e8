/**
 * Fault: a flapping downstream. For the whole run, about half of its answers are a 5xx (500, 502, 503 or 504,
 * drawn from a seeded generator), the rest 200. Every acknowledged event still arrives, in order per message.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../harness/random.ts";
import { useStack } from "../e2e/harness/stack.ts";
import { expectPromiseKept } from "./report.ts";
import { OK, runScenario, until } from "./scenario.ts";

const TRAFFIC_SECONDS = 30;
const FAILURE_SHARE = 0.5;
const SERVER_ERRORS = [500, 502, 503, 504];

const current = useStack();

describe("a flapping downstream", () => {
  it("loses nothing accepted when about half of the downstream's answers are 5xx", async () => {
    const random = seededRandom(3_003);
    current().downstream.behaveByDefault(() =>
      random() < FAILURE_SHARE
        ? { status: SERVER_ERRORS[Math.floor(random() * SERVER_ERRORS.length)] ?? 503 }
        : OK,
    );
    const { figures } = await runScenario(current(), {
      name: "flapping-half-5xx",
      seed: 3,
      trafficSeconds: TRAFFIC_SECONDS,
      async stage(_stack, startedAt) {
        // The downstream flaps through the traffic and the drain alike.
        await until(startedAt, TRAFFIC_SECONDS * 1_000);
        return Date.now();
      },
    });

    expectPromiseKept(figures);
    const answered = current()
      .downstream.requests()
      .filter((r) => r.answered !== undefined);
    const failed = answered.filter((r) => (r.answered ?? 0) >= 500);
    const share = failed.length / answered.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.6);
    // Some events failed several times in a row and were still retried, with the same id, until delivered.
    const attemptsPerEvent = new Map<string, number>();
    for (const request of answered) {
      const id = request.event?.id ?? "";
      attemptsPerEvent.set(id, (attemptsPerEvent.get(id) ?? 0) + 1);
    }
    expect(Math.max(...attemptsPerEvent.values())).toBeGreaterThanOrEqual(3);
  });
});
