/**
 * Fault: the downstream is down for 60 s — 30 s refusing connections (its listener closed), then 30 s answering
 * 503 — while callbacks keep arriving; then it comes back. Every acknowledged event is delivered afterwards, in
 * order per message, and Bandwidth's acks never slowed down.
 */
import { describe, expect, it } from "vitest";
import { useStack } from "../e2e/harness/stack.ts";
import { expectPromiseKept } from "./report.ts";
import { OK, runScenario, until } from "./scenario.ts";

const OUTAGE_STARTS_MS = 5_000;
const REFUSED_MS = 30_000;
const UNAVAILABLE_MS = 30_000;

// A realistic backoff ceiling (5 s, above the 2 s waited inside a running alarm), so that retries go through
// re-armed alarms too.
const current = useStack({ FORWARD_BACKOFF_MAX_MS: "5000" });

describe("a 60 s downstream outage", () => {
  it("loses nothing accepted while the downstream refused connections and then answered 503", async () => {
    let outage = { from: 0, to: 0 };
    const { figures } = await runScenario(
      current(),
      {
        name: "outage-60s",
        seed: 1,
        trafficSeconds: 70,
        async stage({ downstream }, startedAt) {
          await until(startedAt, OUTAGE_STARTS_MS);
          outage = { from: Date.now(), to: 0 };
          await downstream.refuseConnections();
          await until(startedAt, OUTAGE_STARTS_MS + REFUSED_MS);
          downstream.behaveByDefault(() => ({ status: 503, body: "maintenance" }));
          await downstream.acceptConnections();
          await until(startedAt, OUTAGE_STARTS_MS + REFUSED_MS + UNAVAILABLE_MS);
          downstream.behaveByDefault(() => OK);
          outage.to = Date.now();
          return outage.to;
        },
      },
      () => ({ outageMs: REFUSED_MS + UNAVAILABLE_MS, refusedMs: REFUSED_MS, unavailableMs: UNAVAILABLE_MS }),
    );

    expectPromiseKept(figures);
    const requests = current().downstream.requests();
    // The outage was real: nothing got through during it, the receiver kept trying, and events waited it out.
    const during = requests.filter((r) => r.receivedAt >= outage.from && r.receivedAt < outage.to);
    expect(during.filter((r) => r.answered === 200)).toEqual([]);
    expect(during.filter((r) => r.answered === 503).length).toBeGreaterThan(0);
    expect(figures.lagMaxMs).toBeGreaterThan(REFUSED_MS + UNAVAILABLE_MS - 10_000);
    // Once it is back, the backlog goes out within seconds, not at the next long backoff.
    expect(figures.timeToDrainMs).toBeLessThan(30_000);
  });
});
