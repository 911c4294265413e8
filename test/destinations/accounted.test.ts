/**
 * Every accepted event accounted for, across destinations: an event no destination's filter takes is stored,
 * logged, shown as unrouted (GET /messages/:id, GET /messages?forwarding=unrouted, GET /stats) and can be sent
 * by a replay; a paused destination's events still age and die on schedule as `too old`, listed; and one
 * destination's pause check never holds another destination's forward.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { TOO_OLD } from "../../src/forward/outbox.ts";
import { loadMessage, saveMessage } from "../../src/objects/message-sql.ts";
import type { MessageStore } from "../../src/objects/message-store.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, postCallback } from "../helpers/http.ts";
import { settle, storedEvents } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";
import { receivedBy, waitForReceived } from "./helpers.ts";

const used: string[] = [];
afterAll(async () => {
  await settle(...used);
});
afterEach(() => vi.restoreAllMocks());

function messageId(prefix: string): string {
  const id = newMessageId(prefix);
  used.push(id);
  return id;
}

/** An outbound event with its own tag and application id. */
function event(
  id: string,
  type: string,
  tag: string,
  applicationId = "93de2206-9669-4e07-948d-329f4b722ee2",
) {
  const built = statusEvent(type, { id }) as unknown as { message: Record<string, unknown> };
  Object.assign(built.message, { tag, applicationId });
  return built;
}

interface EventViewBody {
  events: Array<{
    id: string;
    traceId: string;
    unrouted?: boolean;
    forwarding: Record<string, { state: string }>;
  }>;
}

// First in the file: no tracker of this isolate has asked about slow yet, so its status is not cached.
describe("one destination's pause check", { timeout: 60_000 }, () => {
  it("never holds another destination's forward: crm is sent while slow's health object does not answer", async () => {
    const id = messageId("pause-check");
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let asked = false;
    const restore = await runInDurableObject(env.DESTINATION_HEALTH.getByName("slow"), (instance) => {
      const prototype = Object.getPrototypeOf(instance) as { status: (...args: unknown[]) => unknown };
      const original = prototype.status;
      prototype.status = function (this: unknown, ...args: unknown[]) {
        if (this !== instance) return original.apply(this, args);
        asked = true;
        return gate.then(() => original.apply(this, args));
      };
      return () => {
        prototype.status = original;
      };
    });
    try {
      // Routed to crm (a delivered outbound event) and to slow (its tag).
      expect((await postCallback([event(id, "message-delivered", "slow")])).status).toBe(200);
      await waitForReceived("crm", id, 1, 5_000);
      expect(asked).toBe(true);
      expect(await receivedBy("slow", id)).toEqual([]);
    } finally {
      release();
      restore();
    }
    await waitForReceived("slow", id, 1, 20_000);
  });
});

describe("an event no destination's filter takes", () => {
  it("is stored, logged, shown as unrouted, listed, counted, and sent by a replay", async () => {
    const lines: string[] = [];
    for (const level of ["log", "warn"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) =>
        lines.push(args.map(String).join(" ")),
      );
    }
    const application = crypto.randomUUID();
    const tag = `nobody-${crypto.randomUUID().slice(0, 8)}`;
    const lost = messageId("unrouted");
    const routed = messageId("routed");
    // message-sending with a tag no filter names: crm takes only delivered and failed, the others tags.
    expect((await postCallback([event(lost, "message-sending", tag, application)])).status).toBe(200);
    expect((await postCallback([event(routed, "message-delivered", tag, application)])).status).toBe(200);

    const view = (await (await admin(`/messages/${lost}`)).json()) as EventViewBody;
    expect(view.events).toHaveLength(1);
    expect(view.events[0]).toMatchObject({ unrouted: true, forwarding: {} });
    const unroutedLine = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.event === "event_unrouted");
    expect(unroutedLine).toEqual({
      level: "warn",
      event: "event_unrouted",
      messageId: lost,
      eventId: view.events[0]?.id,
      type: "message-sending",
      traceId: view.events[0]?.traceId,
    });
    await waitForReceived("crm", routed, 1);

    const listed = await waitFor(async () => {
      const page = (await (await admin(`/messages?forwarding=unrouted&tag=${tag}`)).json()) as {
        messages: Array<{ id: string; unrouted: number }>;
      };
      return page.messages.length > 0 ? page.messages : undefined;
    });
    expect(listed.map((m) => [m.id, m.unrouted])).toEqual([[lost, 1]]);
    // The routed message is in the index too, but not among the unrouted.
    await waitFor(async () => {
      const page = (await (await admin(`/messages?tag=${tag}`)).json()) as {
        messages: Array<{ id: string }>;
      };
      return page.messages.length === 2 ? true : undefined;
    });
    const again = (await (await admin(`/messages?forwarding=unrouted&tag=${tag}`)).json()) as {
      messages: Array<{ id: string }>;
    };
    expect(again.messages.map((m) => m.id)).toEqual([lost]);
    const range = "since=2024-09-14T00:00:00Z&until=2024-09-15T00:00:00Z";
    const stats = (await (await admin(`/stats?${range}&applicationId=${application}`)).json()) as {
      unroutedEvents: number;
    };
    expect(stats.unroutedEvents).toBe(1);

    const replay = await admin("/replay", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ filter: { forwarding: "unrouted", tag }, destination: "all" }),
    });
    expect(replay.status).toBe(202);
    expect(await replay.json()).toMatchObject({ messages: 1, events: 1 });
    const [received] = await waitForReceived("all", lost, 1, 30_000);
    expect(received?.id).toBe(view.events[0]?.id);
    expect(await receivedBy("all", routed)).toEqual([]);
    const after = (await (await admin(`/messages/${lost}`)).json()) as EventViewBody;
    expect(after.events[0]?.unrouted).toBeUndefined();
    expect(Object.keys(after.events[0]?.forwarding ?? {})).toEqual(["all"]);
  });
});

describe("a paused destination", { timeout: 60_000 }, () => {
  it("ages its events: one past the destination's max age dies as too old, listed, while still paused", async () => {
    const id = messageId("paused-aging");
    expect((await admin("/destinations/aging/pause", { method: "POST" })).status).toBe(202);
    try {
      expect((await postCallback([event(id, "message-sending", "aging")])).status).toBe(200);
      // As if it had been accepted just over the destination's max age (1 h) ago.
      await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), async (instance, state) => {
        const { events, state: message } = loadMessage(state.storage);
        for (const record of events) {
          const delivery = record.deliveries.aging;
          if (delivery) delivery.retrySince = Date.now() - 3_600_000 - 1_000;
        }
        saveMessage(state.storage, { state: message, events }, Date.now());
        (instance as unknown as { store: MessageStore }).store.forget();
        await state.storage.setAlarm(Date.now());
      });
      const delivery = await waitFor(
        async () => {
          const found = (await storedEvents(id))[0]?.deliveries.aging;
          return found?.state === "dead" ? found : undefined;
        },
        20_000,
        "the paused destination's stale event to die",
      );
      expect(delivery).toMatchObject({ attempts: 0, lastError: TOO_OLD });
      await waitFor(async () => {
        const page = (await (await admin("/dead-letters?limit=1000")).json()) as {
          items: Array<{ messageId: string; destination: string; lastError: string }>;
        };
        return page.items.some(
          (i) => i.messageId === id && i.destination === "aging" && i.lastError === TOO_OLD,
        )
          ? true
          : undefined;
      });
      const destinations = (await (await admin("/destinations")).json()) as {
        destinations: Array<{ name: string; health: { state: string } }>;
      };
      expect(destinations.destinations.find((d) => d.name === "aging")?.health.state).toBe("paused");
      expect(await receivedBy("aging", id)).toEqual([]);
    } finally {
      await admin("/destinations/aging/resume", { method: "POST" });
    }
  });
});
