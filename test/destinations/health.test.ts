/**
 * Destination health through the real Worker: a destination whose attempts keep failing across at least 60 s
 * becomes `failing`, with an operator CloudEvent to the destinations that take them; the first success makes it
 * `healthy` again, with a `recovered` event. GET /destinations shows each state. (About 75 s: the 60 s are the
 * contract's.)
 */
import { afterAll, describe, expect, it } from "vitest";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, forwardsOf, postCallback, takeDown } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";
import { waitForReceived } from "./helpers.ts";

const id = newMessageId("health");
afterAll(async () => {
  await settle(id);
});

interface DestinationInfo {
  name: string;
  kind: string;
  host?: string;
  health: { state: string; consecutiveFailures?: number; lastError?: string };
}

async function flaky(): Promise<DestinationInfo | undefined> {
  const body = (await (await admin("/destinations")).json()) as { destinations: DestinationInfo[] };
  return body.destinations.find((d) => d.name === "flaky");
}

/** The operator events the `ops` destination received about `flaky`, by type. */
async function operatorEvents(): Promise<string[]> {
  const forwards = (await forwardsOf("flaky")).filter((f) => f.url === "https://ops.example.com/alerts");
  return forwards.map((f) => (JSON.parse(f.body) as { type: string }).type);
}

describe("destination health", { timeout: 150_000 }, () => {
  it("turns failing after failures spanning a minute, alerts the operator destinations, and recovers", async () => {
    const started = Date.now();
    await takeDown("flaky.example.com", started + 66_000);
    const event = statusEvent("message-sent", { id }) as unknown as { message: Record<string, unknown> };
    event.message.tag = "flaky";
    expect((await postCallback([event])).status).toBe(200);

    const failing = await waitFor(
      async () => ((await flaky())?.health.state === "failing" ? await flaky() : undefined),
      90_000,
      "flaky to be failing",
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(60_000);
    expect(failing?.health).toMatchObject({ state: "failing", lastError: "HTTP 503" });
    expect(failing?.health.consecutiveFailures).toBeGreaterThanOrEqual(5);
    expect(failing?.host).toBe("flaky.example.com");
    await waitFor(
      async () =>
        (await operatorEvents()).includes("com.bandwidth-edge-receiver.destination.failing")
          ? true
          : undefined,
      20_000,
    );

    // Back up: the event is delivered, the destination is healthy again, and the operator hears of it.
    await waitForReceived("flaky", id, 1, 40_000);
    await waitFor(async () => ((await flaky())?.health.state === "healthy" ? true : undefined), 20_000);
    await waitFor(
      async () =>
        (await operatorEvents()).includes("com.bandwidth-edge-receiver.destination.recovered")
          ? true
          : undefined,
      20_000,
    );
    expect(await operatorEvents()).toEqual([
      "com.bandwidth-edge-receiver.destination.failing",
      "com.bandwidth-edge-receiver.destination.recovered",
    ]);
  });
});
