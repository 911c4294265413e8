/**
 * maxPerSecond through the real Worker: a burst of callbacks for a destination limited to 5 per second reaches it
 * smoothed (every attempt within the bucket's bound over any window, the last well after the first), nothing is
 * dropped, and GET /destinations shows the limit and the limiter's counts.
 */
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { busiestWindow } from "../../bench/lib/burst.ts";
import { burstOf, PERMIT_TTL_MS } from "../../src/forward/rate-limit.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, forwardsOf, postCallback } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";
import { DESTINATIONS, LIMITED_PER_SECOND } from "./bindings.ts";

const BURST = 20;
const used: string[] = [];
afterAll(async () => {
  await settle(...used);
});

describe("a destination with maxPerSecond", () => {
  it("receives a burst smoothed to its limit, every event delivered, and GET /destinations shows the limiter", async () => {
    const url = DESTINATIONS.find((destination) => destination.name === "limited")?.url;
    const ids = Array.from({ length: BURST }, () => newMessageId("limited"));
    used.push(...ids);
    await Promise.all(
      ids.map(async (id) => {
        const event = statusEvent("message-sending", { id }) as unknown as {
          message: Record<string, unknown>;
        };
        event.message.tag = "limited";
        expect((await postCallback([event])).status).toBe(200);
      }),
    );
    const arrivals = await waitFor(
      async () => {
        const lists = await Promise.all(ids.map((id) => forwardsOf(id)));
        const received = lists.flat().filter((forward) => forward.url === url);
        return received.length >= BURST ? received.map((forward) => forward.receivedAt) : undefined;
      },
      30_000,
      `${BURST} deliveries to the limited destination`,
    );
    arrivals.sort((a, b) => a - b);
    const bound = Math.floor(burstOf(LIMITED_PER_SECOND) + (1 + PERMIT_TTL_MS / 1000) * LIMITED_PER_SECOND);
    expect(busiestWindow(arrivals, 1_000)).toBeLessThanOrEqual(bound);
    // The positive signal that the limit acted: 20 events at 5 per second take over three seconds.
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(
      ((BURST - burstOf(LIMITED_PER_SECOND)) / LIMITED_PER_SECOND) * 1000 - 500,
    );
    const listed = (await (await admin("/destinations")).json()) as {
      destinations: Array<{
        name: string;
        maxPerSecond?: number;
        rateLimit?: { granted: number; waiting: number };
      }>;
    };
    const limited = listed.destinations.find((destination) => destination.name === "limited");
    expect(limited?.maxPerSecond).toBe(LIMITED_PER_SECOND);
    expect(limited?.rateLimit?.granted).toBeGreaterThanOrEqual(BURST);
    expect(limited?.rateLimit?.waiting).toBe(0);
    expect(listed.destinations.find((destination) => destination.name === "crm")).not.toHaveProperty(
      "rateLimit",
    );
  });

  it("costs a destination without a limit nothing: its deliveries never ask a limiter", async () => {
    const id = newMessageId("unlimited");
    used.push(id);
    const event = statusEvent("message-sending", { id }) as unknown as { message: Record<string, unknown> };
    event.message.tag = "routing";
    expect((await postCallback([event])).status).toBe(200);
    const url = DESTINATIONS.find((destination) => destination.name === "all")?.url;
    await waitFor(async () =>
      (await forwardsOf(id)).some((forward) => forward.url === url) ? true : undefined,
    );
    const status = await env.DELIVERY_RATE_LIMITER.getByName("all").status();
    expect({ granted: status.granted, denied: status.denied }).toEqual({ granted: 0, denied: 0 });
  });
});
