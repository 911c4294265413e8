/**
 * Ending a test cleanly: Durable Object alarms are not reset between tests, and one firing after its test has
 * ended stalls the run. A test that stores events waits for their outbox to drain, then disarms the alarm.
 */

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { waitFor } from "./wait.ts";

/** Waits until no event of these messages is pending forwarding, then removes their alarms. */
export async function settle(...messageIds: string[]): Promise<void> {
  for (const id of messageIds) {
    const stub = env.MESSAGE_TRACKER.getByName(id);
    await waitFor(
      async () => {
        const view = await stub.snapshot();
        return !view || view.events.every((e) => e.forwarding.state !== "pending") ? true : undefined;
      },
      15_000,
      `the outbox of ${id} to drain`,
    );
    await runInDurableObject(stub, (_instance, state) => state.storage.deleteAlarm());
  }
}
