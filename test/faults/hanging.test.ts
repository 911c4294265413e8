/**
 * Fault: for 20 s the downstream accepts connections and never answers, far past FORWARD_TIMEOUT_MS (2 s), while
 * callbacks keep arriving; then it is healthy again. The receiver gives up on each hung attempt at the timeout
 * and retries; every acknowledged event is delivered afterwards, in order per message.
 */
import { describe, expect, it } from "vitest";
import type { DownstreamRequest } from "../../harness/downstream.ts";
import { FAST_TUNING } from "../../harness/receiver.ts";
import { useStack } from "../e2e/harness/stack.ts";
import { expectPromiseKept } from "./report.ts";
import { OK, runScenario, until } from "./scenario.ts";

const HANG_STARTS_MS = 3_000;
const HANG_MS = 20_000;
const TIMEOUT_MS = Number(FAST_TUNING.FORWARD_TIMEOUT_MS);

const current = useStack();

/** Each hung request followed by the next request for the same event id, as pairs. */
function retriesAfterHangs(requests: readonly DownstreamRequest[]): [DownstreamRequest, DownstreamRequest][] {
  const pairs: [DownstreamRequest, DownstreamRequest][] = [];
  const last = new Map<string, DownstreamRequest>();
  for (const request of requests) {
    const id = request.event?.id ?? "";
    const previous = last.get(id);
    if (previous && previous.answered === undefined) pairs.push([previous, request]);
    last.set(id, request);
  }
  return pairs;
}

describe("a downstream that hangs past the forwarding timeout", () => {
  it("loses nothing accepted: hung attempts are abandoned at the timeout and retried until it answers", async () => {
    let hang = { from: 0, to: 0 };
    const { figures } = await runScenario(current(), {
      name: "hanging-20s",
      seed: 2,
      trafficSeconds: 30,
      async stage({ downstream }, startedAt) {
        await until(startedAt, HANG_STARTS_MS);
        hang = { from: Date.now(), to: 0 };
        downstream.behaveByDefault(() => ({ hang: true }));
        await until(startedAt, HANG_STARTS_MS + HANG_MS);
        downstream.behaveByDefault(() => OK);
        hang.to = Date.now();
        return hang.to;
      },
    });

    expectPromiseKept(figures);
    const requests = current().downstream.requests();
    const during = requests.filter((r) => r.receivedAt >= hang.from && r.receivedAt < hang.to);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((r) => r.answered === undefined)).toBe(true);
    // Each hung attempt was abandoned at the timeout (not earlier) and retried with the same id. The timeout
    // runs from the fetch call, and the request leaves the object only once its pending writes are committed
    // (the output gate), so a hung request reaches the downstream late by as much as a commit takes: as long
    // as an acknowledgement at most (each waits for its own commit), counted up to half the timeout.
    const retries = retriesAfterHangs(requests);
    expect(retries.length).toBeGreaterThan(0);
    const heldAtMost = Math.min(figures.ackMaxMs, TIMEOUT_MS / 2);
    for (const [hung, retry] of retries) {
      expect(retry.receivedAt - hung.receivedAt).toBeGreaterThanOrEqual(TIMEOUT_MS - 100 - heldAtMost);
      expect(retry.event?.sequence).toBe(hung.event?.sequence);
    }
    expect(figures.lagMaxMs).toBeGreaterThan(HANG_MS - 5_000);
    expect(figures.timeToDrainMs).toBeLessThan(30_000);
  });
});
