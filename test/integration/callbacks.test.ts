import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { inboundEvent, newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, postCallback } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";

interface View {
  status: string;
  direction: string;
  recipients: Array<{ recipient: string; status: string; errorCode?: number; conflict?: true }>;
  events: Array<{ id: string; sequence: number; type: string; duplicates: number }>;
}

async function view(id: string): Promise<View> {
  const response = await admin(`/messages/${encodeURIComponent(id)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as View;
}

describe("POST /callbacks/messaging rejects bad input and stores nothing", () => {
  it("answers 415 for a non-JSON content type, naming the type expected, and stores nothing", async () => {
    const event = statusEvent("message-sent");
    const response = await postCallback([event], { "content-type": "text/plain" });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ error: "content-type must be application/json" });
    expect(await env.MESSAGE_TRACKER.getByName(event.message.id).snapshot()).toBeNull();
    expect((await admin(`/messages/${event.message.id}`)).status).toBe(404);
  });

  it("answers 413 for a body over 1 MiB", async () => {
    const event = statusEvent("message-sent", { extra: { padding: "x".repeat(1024 * 1024) } });
    const response = await postCallback([event]);
    expect(response.status).toBe(413);
    expect(await env.MESSAGE_TRACKER.getByName(event.message.id).snapshot()).toBeNull();
  });

  it("answers 400 for bad JSON without quoting the body", async () => {
    const response = await postCallback('[{"to": "+15551234567", ');
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: "body is not valid JSON" });
    expect(text).not.toContain("+15551234567");
  });

  it("names the index, path and message of a quarantined event, echoing no number or text", async () => {
    const event = statusEvent("message-delivered", { to: "+15559876543" });
    (event.message as Record<string, unknown>).segmentCount = "+15559876543";
    const response = await postCallback([event]);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      accepted: 0,
      duplicates: 0,
      quarantined: 1,
      issues: [{ index: 0, path: "message.segmentCount", message: "must be a number" }],
    });
    expect(text).not.toContain("5559876543");
    await settle(event.message.id);
  });

  it("stores nothing from a batch with one event without a usable envelope, not even the valid one", async () => {
    const valid = statusEvent("message-delivered");
    const invalid = statusEvent("message-failed", { id: "" });
    const response = await postCallback([valid, invalid]);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: Array<{ index: number; path: string }> };
    expect(body.issues).toEqual([expect.objectContaining({ index: 1, path: "message.id" })]);
    expect((await admin(`/messages/${valid.message.id}`)).status).toBe(404);
  });
});

describe("POST /callbacks/messaging stores events", () => {
  it.each([
    ["message-sending", "sending"],
    ["message-sent", "sent"],
    ["message-delivered", "delivered"],
    ["message-failed", "failed"],
    ["message-read", "read"],
  ])("accepts a %s event and sets the recipient to %s", async (type, status) => {
    const event = statusEvent(type, type === "message-failed" ? { errorCode: 4432 } : {});
    expect(await (await postCallback([event])).json()).toEqual({ accepted: 1, duplicates: 0 });
    const state = await view(event.message.id);
    expect(state.recipients).toEqual([expect.objectContaining({ recipient: event.to, status })]);
    await settle(event.message.id);
  });

  it.each([
    ["message-received", "received"],
    ["suggestion-response", "suggestion-response"],
    ["requested-location-response", "location-response"],
    ["request-location-response", "location-response"],
    ["location-request-response", "location-response"],
  ])("accepts an inbound %s event as %s", async (type, status) => {
    const event = inboundEvent({ type });
    expect((await postCallback([event])).status).toBe(200);
    const state = await view(event.message.id);
    expect(state.direction).toBe("inbound");
    expect(state.status).toBe(status);
    await settle(event.message.id);
  });

  it("accepts a bare object as Bandwidth's OpenAPI shows it, stored as one event", async () => {
    const event = statusEvent("message-delivered");
    expect(await (await postCallback(event)).json()).toEqual({ accepted: 1, duplicates: 0 });
    const state = await view(event.message.id);
    expect(state.events.map((e) => [e.type, e.sequence, e.duplicates])).toEqual([
      ["message-delivered", 1, 0],
    ]);
    expect(state.recipients).toEqual([expect.objectContaining({ recipient: event.to, status: "delivered" })]);
    await settle(event.message.id);
  });

  it("records an unknown type without changing the status", async () => {
    const id = newMessageId();
    await postCallback([statusEvent("message-sent", { id })]);
    const response = await postCallback([statusEvent("message-foo", { id, time: "2024-09-14T18:30:00Z" })]);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    const state = await view(id);
    expect(state.status).toBe("sent");
    expect(state.events.map((e) => e.type)).toEqual(["message-sent", "message-foo"]);
    await settle(id);
  });

  it("counts a retried event as a duplicate and stores it once, whatever its description", async () => {
    const event = statusEvent("message-delivered");
    await postCallback([event]);
    const retry = { ...event, description: "Message delivered to handset." };
    expect(await (await postCallback([retry])).json()).toEqual({ accepted: 0, duplicates: 1 });
    const state = await view(event.message.id);
    expect(state.events).toHaveLength(1);
    expect(state.events[0]?.duplicates).toBe(1);
    await settle(event.message.id);
  });

  it("stores a batch spanning two messages in both", async () => {
    const a = statusEvent("message-sent");
    const b = statusEvent("message-sent");
    expect(await (await postCallback([a, b, a])).json()).toEqual({ accepted: 2, duplicates: 1 });
    // Each message holds its own event once; the repeat of a counts on a's event.
    const [first, second] = [await view(a.message.id), await view(b.message.id)];
    expect(first.events.map((e) => [e.type, e.sequence, e.duplicates])).toEqual([["message-sent", 1, 1]]);
    expect(second.events.map((e) => [e.type, e.sequence, e.duplicates])).toEqual([["message-sent", 1, 0]]);
    expect(first.recipients).toEqual([expect.objectContaining({ recipient: a.to, status: "sent" })]);
    expect(second.recipients).toEqual([expect.objectContaining({ recipient: b.to, status: "sent" })]);
    await settle(a.message.id, b.message.id);
  });

  it("shows a group message with one delivered and one failed recipient as mixed", async () => {
    const id = newMessageId();
    const recipients = ["+15550000001", "+15550000002"];
    await postCallback([statusEvent("message-delivered", { id, to: recipients[0], recipients })]);
    await postCallback([
      statusEvent("message-failed", { id, to: recipients[1], recipients, errorCode: 4720 }),
    ]);
    const state = await view(id);
    expect(state.status).toBe("mixed");
    expect(state.recipients).toEqual([
      expect.objectContaining({ recipient: recipients[0], status: "delivered" }),
      expect.objectContaining({ recipient: recipients[1], status: "failed", errorCode: 4720 }),
    ]);
    await settle(id);
  });

  it("ends delivered after a 9902 failure followed by a later delivery, whatever the arrival order", async () => {
    for (const order of ["failed-first", "delivered-first"]) {
      const id = newMessageId();
      const failed = statusEvent("message-failed", { id, errorCode: 9902, time: "2024-09-14T20:20:16Z" });
      const delivered = statusEvent("message-delivered", { id, time: "2024-09-14T21:00:00Z" });
      const batches = order === "failed-first" ? [failed, delivered] : [delivered, failed];
      for (const event of batches) expect((await postCallback([event])).status).toBe(200);
      const state = await view(id);
      expect(state.status).toBe("delivered");
      expect(state.recipients[0]?.conflict).toBe(true);
      await settle(id);
    }
  });

  it("answers 503 when storage fails, so that Bandwidth retries", async () => {
    const { app } = await import("../../src/index.ts");
    const failing = {
      ...env,
      MESSAGE_TRACKER: {
        getByName: () => ({
          ingest: () => Promise.reject(new Error("storage unavailable")),
        }),
      },
    } as unknown as Env;
    const response = await app.request(
      "https://receiver.test/callbacks/messaging",
      {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa(`${env.CALLBACK_USERNAME}:${env.CALLBACK_PASSWORD}`)}`,
          "content-type": "application/json",
        },
        body: JSON.stringify([statusEvent("message-sent")]),
      },
      failing,
    );
    expect(response.status).toBe(503);
  });
});

describe("the operator API", () => {
  it("answers 401 without the bearer token and 404 for an unknown message", async () => {
    const { exports } = await import("cloudflare:workers");
    const anonymous = await exports.default.fetch("https://receiver.test/messages/abc");
    expect(anonymous.status).toBe(401);
    expect((await admin(`/messages/${newMessageId()}`)).status).toBe(404);
  });
});

describe("the operator API's own input", () => {
  it("answers 400 for a redelivery body that does not fit, naming the field", async () => {
    const response = await admin(`/messages/${newMessageId()}/redeliver`, {
      method: "POST",
      body: JSON.stringify({ all: "yes" }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain("all");
  });

  it("answers 400 for a dead-letter cursor it did not issue, and for a page size out of range", async () => {
    expect((await admin("/dead-letters?cursor=not-a-cursor")).status).toBe(400);
    expect((await admin("/dead-letters?limit=0")).status).toBe(400);
  });
});
