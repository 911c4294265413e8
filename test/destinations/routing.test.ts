/**
 * Fan-out through the real Worker: each event goes to exactly the destinations whose filter matched it when it
 * was accepted, each signed with its own destination's secret, in sequence order per message and destination;
 * one destination down delays no other; a destination's dead events are redelivered to it alone.
 */
import { afterAll, describe, expect, it } from "vitest";
import { inboundEvent, newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, postCallback, scriptDownstream, slowDown, takeDown } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";
import { expectSigned, firstDeliveries, receivedBy, waitForReceived } from "./helpers.ts";

const used: string[] = [];
afterAll(async () => {
  await settle(...used);
});

function messageId(prefix: string): string {
  const id = newMessageId(prefix);
  used.push(id);
  return id;
}

function lifecycle(id: string, tag = "routing") {
  const at = (s: number) => `2024-09-14T18:20:${String(10 + s).padStart(2, "0")}Z`;
  return ["message-sending", "message-sent", "message-delivered"].map((type, n) => {
    const event = statusEvent(type, { id, time: at(n) }) as unknown as { message: Record<string, unknown> };
    event.message.tag = tag;
    return event;
  });
}

describe("fan-out to several destinations", () => {
  it("routes each event to exactly the destinations whose filter matches it, signed with each one's secret", async () => {
    const outbound = messageId("route-out");
    const inbound = messageId("route-in");
    for (const event of lifecycle(outbound)) expect((await postCallback([event])).status).toBe(200);
    const received = inboundEvent({ id: inbound }) as unknown as { message: Record<string, unknown> };
    received.message.tag = "routing";
    expect((await postCallback([received])).status).toBe(200);

    const all = await waitForReceived("all", outbound, 3);
    expect(firstDeliveries(all).map((r) => [r.type, r.sequence])).toEqual([
      ["com.bandwidth.message.sending", "1"],
      ["com.bandwidth.message.sent", "2"],
      ["com.bandwidth.message.delivered", "3"],
    ]);
    // crm takes outbound delivered and failed only: it sees sequence 3, with the gap a filter leaves.
    const crm = await waitForReceived("crm", outbound, 1);
    expect(crm.map((r) => [r.type, r.sequence])).toEqual([["com.bandwidth.message.delivered", "3"]]);
    expect(await receivedBy("inbox", outbound)).toEqual([]);
    const inboxed = await waitForReceived("inbox", inbound, 1);
    expect(inboxed.map((r) => r.type)).toEqual(["com.bandwidth.message.received"]);
    await waitForReceived("all", inbound, 1);
    expect(await receivedBy("crm", inbound)).toEqual([]);
    for (const list of [all, crm, inboxed]) expectSigned(list);

    await settle(outbound, inbound);
    const view = (await (await admin(`/messages/${outbound}`)).json()) as {
      events: Array<{ sequence: number; forwarding: Record<string, { state: string }> }>;
    };
    expect(view.events.map((e) => [e.sequence, Object.keys(e.forwarding).sort()])).toEqual([
      [1, ["all"]],
      [2, ["all"]],
      [3, ["all", "crm"]],
    ]);
  });

  it("keeps delivering to the other destinations while one is down, then delivers that one's backlog in order", async () => {
    const id = messageId("route-down");
    await takeDown("all.example.com", Date.now() + 8_000);
    const started = Date.now();
    for (const event of lifecycle(id)) expect((await postCallback([event])).status).toBe(200);
    // crm is not held up by all's outage.
    await waitForReceived("crm", id, 1, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000);
    const all = await waitForReceived("all", id, 3, 40_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(8_000);
    // Every attempt before the end of the outage failed; the first successes came in sequence order.
    const sequences = firstDeliveries(all).map((r) => r.sequence);
    expect(sequences).toEqual(["1", "2", "3"]);
    expectSigned(all);
  });

  it("sends a new event to a quick destination at once while a slow one is still busy with the message", async () => {
    const id = messageId("route-slow");
    await slowDown("all.example.com", 4_000, Date.now() + 15_000);
    const [sending, sent, delivered] = lifecycle(id);
    await postCallback([sending, sent]);
    // all is now answering slowly, one event at a time; crm's event arrives meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const accepted = Date.now();
    await postCallback([delivered]);
    await waitForReceived("crm", id, 1, 3_000);
    expect(Date.now() - accepted).toBeLessThan(2_500);
    await waitForReceived("all", id, 3, 30_000);
  });

  it("redelivers a destination's dead event to that destination only", async () => {
    const id = messageId("route-dead");
    await scriptDownstream(id, [400], "crm.example.com");
    for (const event of lifecycle(id)) await postCallback([event]);
    await waitForReceived("all", id, 3);
    await waitFor(async () => {
      const page = (await (await admin("/dead-letters?destination=crm&limit=1000")).json()) as {
        items: Array<{ messageId: string; destination: string }>;
      };
      return page.items.some((item) => item.messageId === id && item.destination === "crm")
        ? true
        : undefined;
    });
    const response = await admin(`/messages/${id}/redeliver`, {
      method: "POST",
      body: JSON.stringify({ destination: "crm" }),
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ redelivered: 1 });
    await waitFor(async () => ((await receivedBy("crm", id)).length === 2 ? true : undefined));
    // all got each event once: the redelivery was crm's alone.
    expect((await receivedBy("all", id)).length).toBe(3);
    expect(new Set((await receivedBy("crm", id)).map((r) => r.id)).size).toBe(1);
  });

  it("refuses a redelivery to a destination that is not configured, and a malformed name", async () => {
    const id = messageId("route-unknown");
    await postCallback(lifecycle(id).slice(0, 1));
    const unknown = await admin(`/messages/${id}/redeliver`, {
      method: "POST",
      body: '{"destination":"nowhere"}',
    });
    expect(unknown.status).toBe(404);
    const malformed = await admin(`/messages/${id}/redeliver`, {
      method: "POST",
      body: '{"destination":"No Way"}',
    });
    expect(malformed.status).toBe(400);
    expect((await admin("/dead-letters?destination=No%20Way")).status).toBe(400);
  });
});
