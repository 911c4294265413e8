import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import * as v from "valibot";
import { describe, expect, it, vi } from "vitest";
import { NormalizedEventSchema } from "../../src/forward/cloud-event.ts";
import { signWebhook } from "../../src/forward/sign.ts";
import { TEST_SECRET } from "../helpers/bindings.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { ageMessage, settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

async function forwarded(id: string, count: number) {
  return waitFor(
    async () => {
      const list = await forwardsOf(id);
      return list.length >= count ? list : undefined;
    },
    10_000,
    `${count} forwards of ${id}`,
  );
}

describe("forwarding to the downstream", () => {
  it("sends each accepted event once as a signed CloudEvent, in sequence order", async () => {
    const id = newMessageId();
    await postCallback([statusEvent("message-sending", { id, time: "2024-09-14T18:20:16Z" })]);
    await postCallback([statusEvent("message-delivered", { id, time: "2024-09-14T18:20:18Z" })]);
    await postCallback([statusEvent("message-delivered", { id, time: "2024-09-14T18:20:18Z" })]);
    const list = await forwarded(id, 2);
    await settle(id);
    expect(await forwardsOf(id)).toHaveLength(2);
    const events = list.map((f) => v.parse(NormalizedEventSchema, JSON.parse(f.body)));
    expect(events.map((e) => [e.type, e.sequence, e.data.status])).toEqual([
      ["com.bandwidth.message.sending", "1", "sending"],
      ["com.bandwidth.message.delivered", "2", "delivered"],
    ]);
    for (const f of list) {
      const { id: eventId } = JSON.parse(f.body) as { id: string };
      expect(f.headers["content-type"]).toBe("application/cloudevents+json");
      expect(f.headers["webhook-id"]).toBe(eventId);
      const timestamp = Number(f.headers["webhook-timestamp"]);
      expect(f.headers["webhook-signature"]).toBe(
        await signWebhook([TEST_SECRET], eventId, timestamp, f.body),
      );
    }
  });

  it("retries a 503 with the same id until the downstream accepts it", async () => {
    const event = statusEvent("message-delivered");
    const id = event.message.id;
    await scriptDownstream(id, [503, 503]);
    await postCallback([event]);
    const list = await forwarded(id, 3);
    await settle(id);
    const ids = list.map((f) => f.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(1);
    const state = (await (await admin(`/messages/${id}`)).json()) as {
      events: Array<{ forwarding: Record<string, { state: string; attempts: number }> }>;
    };
    expect(state.events[0]?.forwarding.default).toMatchObject({ state: "delivered", attempts: 3 });
  });

  it("lets other messages through while one message's event is being retried", async () => {
    const stuck = statusEvent("message-sent");
    const other = statusEvent("message-sent");
    // Forty 503s: several seconds of retries at the tests' 200 ms backoff ceiling.
    await scriptDownstream(
      stuck.message.id,
      Array.from({ length: 40 }, () => 503),
    );
    await postCallback([stuck]);
    await forwarded(stuck.message.id, 1);
    await postCallback([other]);
    await forwarded(other.message.id, 1);
    // The other message went out while the stuck one had had nothing but 503s and was still pending.
    const view = await env.MESSAGE_TRACKER.getByName(stuck.message.id).snapshot();
    expect(view?.events[0]?.forwarding.default?.state).toBe("pending");
    expect((await forwardsOf(stuck.message.id)).length).toBeLessThan(40);
    // The downstream recovers for it: nothing is left retrying after the test.
    await scriptDownstream(stuck.message.id, []);
    await settle(stuck.message.id, other.message.id);
  });

  it("makes an event dead on a permanent 400, lists it, and redelivers it with the same id and sequence", async () => {
    const event = statusEvent("message-failed", { errorCode: 4432 });
    const id = event.message.id;
    await scriptDownstream(id, [400]);
    await postCallback([event]);
    const [first] = await forwarded(id, 1);
    const stub = env.MESSAGE_TRACKER.getByName(id);
    await waitFor(async () => {
      const view = await stub.snapshot();
      return view?.events[0]?.forwarding.default?.state === "dead" ? true : undefined;
    });
    const listed = await waitFor(async () => {
      const page = (await (await admin("/dead-letters?limit=1000")).json()) as {
        items: Array<{ messageId: string; lastError: string }>;
      };
      return page.items.find((item) => item.messageId === id);
    });
    expect(listed.lastError).toBe("HTTP 400");
    const redelivery = await admin(`/messages/${id}/redeliver`, { method: "POST" });
    expect(redelivery.status).toBe(202);
    expect(await redelivery.json()).toEqual({ redelivered: 1 });
    const [, second] = await forwarded(id, 2);
    await settle(id);
    expect(JSON.parse(second?.body ?? "{}")).toMatchObject({
      id: JSON.parse(first?.body ?? "{}").id,
      sequence: "1",
    });
  });

  it("deletes the state once nothing is pending and the retention period has passed, logging message_expired", async () => {
    const event = statusEvent("message-delivered");
    const id = event.message.id;
    await postCallback([event]);
    await forwarded(id, 1);
    await settle(id);
    const stub = env.MESSAGE_TRACKER.getByName(id);
    await ageMessage(id, Date.now() - 31 * 86_400_000);
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((line: unknown) => lines.push(String(line)));
    try {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
    } finally {
      spy.mockRestore();
    }
    expect(await stub.snapshot()).toBeNull();
    expect(lines.map((line) => JSON.parse(line))).toContainEqual({
      level: "info",
      event: "message_expired",
      messageId: id,
    });
  });
});
