/**
 * Fault: `wrangler dev` is SIGKILLed twice while its outbox is draining a backlog, and restarted each time with
 * the same --persist-to. Callbacks keep coming; those refused while it is down are resent as Bandwidth would.
 * Every acknowledged event (and every stored one whose 200 was lost in the crash) is delivered afterwards, in
 * order per message; deliveries repeated because a crash came between the downstream's 2xx and its record
 * are counted (at-least-once).
 */
import { describe, expect, it } from "vitest";
import type { Downstream } from "../../harness/downstream.ts";
import { waitFor } from "../../harness/wait.ts";
import { useStack } from "../e2e/harness/stack.ts";
import { deliveredIds } from "./measure.ts";
import { expectPromiseKept } from "./report.ts";
import { runScenario, until } from "./scenario.ts";
import type { CallbackRecord } from "./traffic.ts";

const BACKLOG_BUILDS_MS = 12_000;
/** A slow but healthy downstream, so that draining the backlog takes a few seconds and a kill lands in it. */
const SLOW_ANSWER_MS = 200;
/** The shares of the acknowledged events delivered at which the receiver is killed. */
const KILL_AT = [0.25, 0.6];

const current = useStack();

function acknowledged(sent: readonly CallbackRecord[]): number {
  return new Set(sent.filter((r) => r.ackedAt !== undefined).map((r) => r.planned.key)).size;
}

function delivered(downstream: Downstream): number {
  return deliveredIds(downstream).size;
}

/** Callbacks that failed at least once (the receiver was down) and were then answered 200. */
function resentUntilAccepted(records: readonly CallbackRecord[]): number {
  return records.filter((r) => r.ackedAt !== undefined && r.attempts.some((a) => a.status !== 200)).length;
}

describe("a receiver killed while it drains a backlog", () => {
  it("loses nothing accepted across two SIGKILLs and restarts with the same --persist-to", async () => {
    const kills: { atMs: number; acknowledged: number; delivered: number; restartMs: number }[] = [];
    const { figures, traffic } = await runScenario(
      current(),
      {
        name: "crash-restart-x2",
        seed: 5,
        trafficSeconds: 45,
        // Bandwidth resends what was not answered 200, for 24 h; here for a minute.
        retry: { delayMs: 1_000, giveUpAfterMs: 60_000 },
        async stage({ downstream, receiver }, startedAt, sent) {
          downstream.behaveByDefault(() => ({ status: 503 }));
          await until(startedAt, BACKLOG_BUILDS_MS);
          downstream.behaveByDefault(() => ({ status: 200, delayMs: SLOW_ANSWER_MS }));
          for (const share of KILL_AT) {
            await waitFor(() => delivered(downstream) >= share * acknowledged(sent), 30_000, {
              intervalMs: 20,
            });
            const atMs = Date.now() - startedAt;
            const backlog = { acknowledged: acknowledged(sent), delivered: delivered(downstream) };
            await receiver.stop({ signal: "SIGKILL" });
            const restarting = Date.now();
            await receiver.start();
            kills.push({ atMs, ...backlog, restartMs: Date.now() - restarting });
            console.log(`[faults] crash: killed at ${atMs} ms with ${JSON.stringify(kills.at(-1))}`);
          }
          return Date.now();
        },
        drainTimeoutMs: 90_000,
      },
      (run) => ({ kills, resentUntilAccepted: resentUntilAccepted(run.records) }),
    );

    // Right after each restart the receiver meets a burst: every callback refused while it was down (3–9 s here,
    // depending on what else the machine runs) is resent at once, and each message's Durable Object loads again
    // and resumes its outbox. For a second or two acks take 1.5–4 s on this 2-core machine; no ack reaches 10 s.
    expectPromiseKept(figures, { ackP99BelowMs: 5_000 });
    expect(kills).toHaveLength(KILL_AT.length);
    // Each kill landed while there was a backlog to drain.
    for (const kill of kills) expect(kill.delivered).toBeLessThan(kill.acknowledged);
    // Some callbacks met the dead receiver and were resent until accepted.
    expect(resentUntilAccepted(traffic.records)).toBeGreaterThan(0);
  });
});
