/**
 * A destination's life beyond health: paused, its events wait (the others' do not) and go out in order on
 * resume; removed from the configuration, its pending events die with `destination removed`, are listed, and
 * can be redelivered to a destination named in the redelivery.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { pendingDelivery } from "../../src/message/records.ts";
import { loadMessage, saveMessage } from "../../src/objects/message-sql.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, postCallback } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";
import { firstDeliveries, receivedBy, waitForReceived } from "./helpers.ts";

const used: string[] = [];
afterAll(async () => {
  await settle(...used);
});

function tagged(id: string, type: string, second: number, tag: string) {
  const event = statusEvent(type, { id, time: `2024-09-14T18:20:${second}Z` }) as unknown as {
    message: Record<string, unknown>;
  };
  event.message.tag = tag;
  return event;
}

describe("pause and resume", { timeout: 90_000 }, () => {
  it("holds a paused destination's events while the others flow, then sends them in order on resume", async () => {
    const id = newMessageId("paused");
    used.push(id);
    expect((await admin("/destinations/pausable/pause", { method: "POST" })).status).toBe(202);
    expect((await admin("/destinations/nowhere/pause", { method: "POST" })).status).toBe(404);
    for (const [n, type] of ["message-sending", "message-sent", "message-delivered"].entries()) {
      expect((await postCallback([tagged(id, type, 10 + n, "pausable")])).status).toBe(200);
    }
    // The others flow: crm (delivered events) gets the third event at once...
    const crm = await waitForReceived("crm", id, 1, 10_000);
    expect(firstDeliveries(crm).map((r) => r.sequence)).toEqual(["3"]);
    // ...and one more whole outbox run of the message, its alarm, ends with nothing sent to the paused one.
    expect(await runDurableObjectAlarm(env.MESSAGE_TRACKER.getByName(id))).toBe(true);
    expect(await receivedBy("pausable", id)).toEqual([]);
    const listed = (await (await admin("/destinations")).json()) as {
      destinations: Array<{ name: string; health: { state: string } }>;
    };
    expect(listed.destinations.find((d) => d.name === "pausable")?.health.state).toBe("paused");

    expect((await admin("/destinations/pausable/resume", { method: "POST" })).status).toBe(202);
    const received = await waitForReceived("pausable", id, 3, 45_000);
    expect(firstDeliveries(received).map((r) => r.sequence)).toEqual(["1", "2", "3"]);
  });
});

describe("a removed destination", () => {
  it("kills its pending events with 'destination removed', lists them, and redelivers them to a destination named", async () => {
    const id = newMessageId("removed");
    used.push(id);
    expect((await postCallback([tagged(id, "message-sending", 10, "gone")])).status).toBe(200);
    await waitForReceived("all", id, 1);
    // As if the event had also been routed to a destination the configuration no longer has.
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), async (_instance, state) => {
      const message = loadMessage(state.storage);
      const [record] = message.events;
      if (record) record.deliveries.retired = pendingDelivery(Date.now());
      saveMessage(state.storage, message);
      await state.storage.setAlarm(Date.now());
    });
    // The object read its message before the rewrite: make the next call read it again.
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
      state.abort("reload"),
    ).catch(() => undefined);
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
      state.storage.setAlarm(Date.now()),
    );
    const entry = await waitFor(async () => {
      const page = (await (await admin("/dead-letters?destination=retired&limit=1000")).json()) as {
        items: Array<{ messageId: string; lastError: string }>;
      };
      return page.items.find((item) => item.messageId === id);
    });
    expect(entry.lastError).toBe("destination removed");

    const response = await admin(`/messages/${id}/redeliver`, {
      method: "POST",
      body: '{"destination":"crm"}',
    });
    expect(await response.json()).toEqual({ redelivered: 1 });
    await waitForReceived("crm", id, 1);
    await waitFor(async () => {
      const page = (await (await admin("/dead-letters?destination=retired&limit=1000")).json()) as {
        items: Array<{ messageId: string }>;
      };
      return page.items.some((item) => item.messageId === id) ? undefined : true;
    });
    const view = (await (await admin(`/messages/${id}`)).json()) as {
      events: Array<{ forwarding: Record<string, { state: string }> }>;
    };
    expect(view.events[0]?.forwarding).toMatchObject({
      all: { state: "delivered" },
      retired: { state: "moved" },
      crm: { state: "delivered" },
    });
  });
});
