/**
 * No authenticated callback is lost to validation: what the receiver's logic does not need is carried, an
 * event with a usable envelope but otherwise invalid is held in quarantine (200, listed, never forwarded,
 * deduplicated) until a release re-validates it, and only an event without an envelope still gets a 400.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { BandwidthEventOutput } from "../../src/bandwidth/schema.ts";
import worker from "../../src/index.ts";
import { eventIdOf } from "../../src/message/event-id.ts";
import { encodeCursor, encodeMessageCursor } from "../../src/message/list-cursor.ts";
import { quarantineShard } from "../../src/message/quarantine-list.ts";
import { createQuarantineTable, holdEvents } from "../../src/objects/quarantine-sql.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, basicAuth, followNextCursor, forwardsOf, postCallback } from "../helpers/http.ts";
import { ageMessage, deletedMessage, settle, storedEvents } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

const used: string[] = [];
afterEach(async () => {
  await settle(...used.splice(0));
});

function messageId(prefix = "quarantine"): string {
  const id = newMessageId(prefix);
  used.push(id);
  return id;
}

/** A status event whose `message` fields are replaced by `message`. */
function eventWith(id: string, message: Record<string, unknown>, type = "message-sent", time?: string) {
  const event = statusEvent(type, { id, ...(time ? { time } : {}) }) as unknown as Record<string, unknown>;
  return { ...event, message: { ...(event.message as object), ...message } };
}

async function forwardedTypes(id: string): Promise<string[]> {
  return (await forwardsOf(id)).map((f) => (JSON.parse(f.body) as { type: string }).type);
}

interface QuarantineListing {
  items: Array<{
    eventId: string;
    messageId: string;
    type: string;
    issues: unknown[];
    quarantinedAt: string;
  }>;
  total: number;
  nextCursor?: string;
}

/** What the older version found wrong with the events it held. */
const OLDER_ISSUES = [{ path: "message.priority", message: 'must be "default" or "high"' }];

/**
 * Holds `event` in `id`'s object as if an older version had quarantined it (it is valid under today's
 * schemas), without listing it. Returns its event id.
 */
async function holdAsOlderVersion(id: string, event: Record<string, unknown>): Promise<string> {
  const eventId = await eventIdOf(event as unknown as BandwidthEventOutput);
  await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
    state.storage.transactionSync(() => {
      createQuarantineTable(state.storage.sql);
      holdEvents(state.storage.sql, [
        {
          eventId,
          type: String(event.type),
          raw: event,
          issues: OLDER_ISSUES,
          quarantinedAt: Date.now(),
          duplicates: 0,
        },
      ]);
    }),
  );
  return eventId;
}

async function listed(id: string): Promise<QuarantineListing["items"]> {
  return (await listedEverywhere()).filter((item) => item.messageId === id);
}

/** Every entry of GET /quarantine, page after page. */
async function listedEverywhere(): Promise<QuarantineListing["items"]> {
  const all: QuarantineListing["items"] = [];
  let cursor: string | undefined;
  do {
    const response = await admin(
      `/quarantine?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    expect(response.status).toBe(200);
    const page = (await response.json()) as QuarantineListing;
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

interface Released {
  released: number;
  remaining: number;
  messages: number;
  nextCursor?: string;
}

function release(body: Record<string, unknown>): Promise<Response> {
  return admin("/quarantine/release", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("tolerant validation", () => {
  it("accepts and forwards a priority Bandwidth has not used before", async () => {
    const id = messageId();
    const response = await postCallback([eventWith(id, { priority: "urgent", channel: "CARRIER_PIGEON" })]);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    await waitFor(async () => ((await forwardsOf(id)).length === 1 ? true : undefined));
    const body = JSON.parse((await forwardsOf(id))[0]?.body ?? "{}") as { data: Record<string, unknown> };
    expect(body.data.priority).toBe("urgent");
    expect(body.data.channel).toBe("CARRIER_PIGEON");
  });

  it("accepts and forwards a message-delivered whose direction is in", async () => {
    const id = messageId();
    const response = await postCallback([eventWith(id, { direction: "in" }, "message-delivered")]);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    await waitFor(async () => ((await forwardsOf(id)).length === 1 ? true : undefined));
    expect(await forwardedTypes(id)).toEqual(["com.bandwidth.message.delivered"]);
  });

  it("accepts an event without segmentCount, description or applicationId, and forwards it without inventing them", async () => {
    const id = messageId();
    const event = eventWith(id, { segmentCount: undefined, applicationId: undefined });
    delete (event as { description?: string }).description;
    const response = await postCallback([JSON.parse(JSON.stringify(event))]);
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
    await waitFor(async () => ((await forwardsOf(id)).length === 1 ? true : undefined));
    const body = JSON.parse((await forwardsOf(id))[0]?.body ?? "{}") as {
      source: string;
      data: Record<string, unknown>;
    };
    expect(body.source).toBe("/bandwidth/messaging");
    expect(body.data).not.toHaveProperty("segmentCount");
    expect(body.data).not.toHaveProperty("description");
  });
});

describe("quarantine", () => {
  it("answers 200 with the issues for an invalid event, lists it, never forwards it, and counts its retry as a duplicate", async () => {
    const id = messageId();
    const bad = eventWith(id, { segmentCount: "one", text: "never echoed" });
    const response = await postCallback([bad]);
    expect(response.status).toBe(200);
    const answer = await response.json();
    expect(answer).toEqual({
      accepted: 0,
      duplicates: 0,
      quarantined: 1,
      issues: [{ index: 0, path: "message.segmentCount", message: "must be a number" }],
    });
    expect(JSON.stringify(answer)).not.toContain("never echoed");

    const retry = await postCallback([bad]);
    expect(await retry.json()).toEqual({ accepted: 0, duplicates: 1 });

    const items = await waitFor(async () => {
      const found = await listed(id);
      return found.length === 1 ? found : undefined;
    });
    expect(items[0]).toMatchObject({
      eventId: await eventIdOf(bad as unknown as BandwidthEventOutput),
      type: "message-sent",
      issues: [{ path: "message.segmentCount", message: "must be a number" }],
    });
    expect(JSON.stringify(items)).not.toMatch(/\+1555|never echoed/);
    expect(await storedEvents(id)).toEqual([]);
    expect(await forwardsOf(id)).toEqual([]);
  });

  it("stores the valid events of a batch and quarantines the invalid one beside them", async () => {
    const id = messageId();
    const response = await postCallback([
      statusEvent("message-sending", { id, time: "2024-09-14T18:20:16.000Z" }),
      eventWith(id, { to: "+15550001111" }, "message-sent", "2024-09-14T18:20:17.000Z"),
      eventWith(id, {}, "message-delivered", "2024-09-14T18:20:18.000Z"),
    ]);
    expect(await response.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      quarantined: 1,
      issues: [{ index: 1, path: "message.to", message: "must be an array of strings" }],
    });
    await waitFor(async () => ((await forwardsOf(id)).length === 2 ? true : undefined));
    const view = (await (await admin(`/messages/${id}`)).json()) as { quarantined: Array<{ type: string }> };
    expect(view.quarantined.map((q) => q.type)).toEqual(["message-sent"]);
  });

  it("releases a held event that today's schemas accept: stored, forwarded after the message's earlier events, unlisted", async () => {
    const id = messageId();
    await postCallback([statusEvent("message-sending", { id, time: "2024-09-14T18:20:16.000Z" })]);
    await waitFor(async () => ((await forwardsOf(id)).length === 1 ? true : undefined));
    const held = eventWith(id, {}, "message-delivered", "2024-09-14T18:20:18.000Z");
    const eventId = await holdAsOlderVersion(id, held);
    const response = await admin("/quarantine/release", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messageId: id }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ released: 1, remaining: 0, messages: 1 });
    await waitFor(async () => ((await forwardsOf(id)).length === 2 ? true : undefined));
    const forwarded = (await forwardsOf(id)).map(
      (f) => JSON.parse(f.body) as { id: string; sequence: string },
    );
    expect(forwarded.map((f) => [f.id, f.sequence])).toEqual([
      [expect.any(String), "1"],
      [eventId, "2"],
    ]);
    const view = (await (await admin(`/messages/${id}`)).json()) as { status: string; quarantined?: unknown };
    expect(view.status).toBe("delivered");
    expect(view.quarantined).toBeUndefined();
    expect(await listed(id)).toEqual([]);
    // A retry of the released event is now a duplicate of the stored one.
    expect(await (await postCallback([held])).json()).toEqual({ accepted: 0, duplicates: 1 });
  });

  it("keeps a held event that is still invalid, and says how many remain", async () => {
    const id = messageId();
    await postCallback([eventWith(id, { segmentCount: -1 })]);
    const response = await admin("/quarantine/release", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messageId: id }),
    });
    expect(await response.json()).toEqual({ released: 0, remaining: 1, messages: 1 });
    expect(await forwardsOf(id)).toEqual([]);
  });

  it("releases in batches that follow nextCursor past messages still invalid, taking each message once", async () => {
    // Still invalid, and first by id: a call without a cursor would take them every time.
    const stuck = [messageId("0-stuck"), messageId("0-stuck"), messageId("0-stuck")];
    for (const id of stuck) await postCallback([eventWith(id, { segmentCount: "one" })]);
    // Valid today, held by an older version and listed by its sync, and last by id.
    const fixable = messageId("1-fixable");
    await postCallback([statusEvent("message-sending", { id: fixable, time: "2024-09-14T18:20:16.000Z" })]);
    await waitFor(async () => ((await forwardsOf(fixable)).length === 1 ? true : undefined));
    const held = eventWith(fixable, {}, "message-delivered", "2024-09-14T18:20:18.000Z");
    const eventId = await holdAsOlderVersion(fixable, held);
    const entry = {
      eventId,
      messageId: fixable,
      type: "message-delivered",
      issues: OLDER_ISSUES,
      at: Date.now(),
    };
    await env.QUARANTINE_LIST.getByName(quarantineShard(fixable)).update([entry], []);
    const holding = await waitFor(async () => {
      const ids = new Set((await listedEverywhere()).map((item) => item.messageId));
      return [...stuck, fixable].every((id) => ids.has(id)) ? ids : undefined;
    });

    const answers = await followNextCursor<Released>(
      (cursor) => release({ limit: 2, ...(cursor ? { cursor } : {}) }),
      200,
      20,
    );

    expect(answers.length).toBeGreaterThanOrEqual(2);
    expect(answers.at(-1)?.nextCursor).toBeUndefined();
    // Every message holding events was taken once: none skipped, none twice.
    expect(answers.reduce((sum, answer) => sum + answer.messages, 0)).toBe(holding.size);
    expect(answers.reduce((sum, answer) => sum + answer.released, 0)).toBe(1);
    await waitFor(async () => ((await forwardsOf(fixable)).length === 2 ? true : undefined));
    await waitFor(async () => ((await listed(fixable)).length === 0 ? true : undefined));
    for (const id of stuck) expect(await listed(id)).toHaveLength(1);
  });

  it("refuses a release cursor that is not one of its own, or one given with messageId, with 400", async () => {
    const id = messageId();
    await postCallback([eventWith(id, { segmentCount: "one" })]);
    const listCursor = encodeCursor([Date.now(), "evt_1"]);
    for (const cursor of ["not-a-cursor", btoa('{"after":""}'), `${encodeMessageCursor(id)}=`, listCursor]) {
      const response = await release({ cursor });
      expect(response.status, cursor).toBe(400);
      expect(await response.json()).toEqual({ error: "cursor is not valid" });
    }
    const withMessage = await release({ messageId: id, cursor: encodeMessageCursor(id) });
    expect(withMessage.status).toBe(400);
    expect(await withMessage.json()).toEqual({ error: "cursor cannot be given with messageId" });
    const withLimit = await release({ messageId: id, limit: 5 });
    expect(withLimit.status).toBe(400);
    expect(await withLimit.json()).toEqual({ error: "limit cannot be given with messageId" });
  });

  it("quarantines an event over the per-event size limit as too large", async () => {
    const id = messageId();
    const response = await postCallback([
      statusEvent("message-sent", { id, description: "x".repeat(70_000) }),
    ]);
    const answer = (await response.json()) as { quarantined: number; issues: Array<{ message: string }> };
    expect(answer.quarantined).toBe(1);
    expect(answer.issues[0]?.message).toMatch(/^too large: \d+ bytes, at most 65536 per event$/);
  });

  it("still answers 400 for an event without a usable envelope, storing nothing of the request", async () => {
    const id = messageId();
    const response = await postCallback([statusEvent("message-sending", { id }), eventWith(id, { id: "" })]);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "event without a usable envelope",
      issues: [{ index: 1, path: "message.id", message: "must not be empty" }],
    });
    expect(await storedEvents(id)).toEqual([]);
  });

  it("answers 400 instead when INVALID_EVENTS is reject, storing nothing", async () => {
    const id = messageId();
    const request = new Request("https://receiver.test/callbacks/messaging", {
      method: "POST",
      headers: { authorization: basicAuth(), "content-type": "application/json" },
      body: JSON.stringify([statusEvent("message-sending", { id }), eventWith(id, { segmentCount: "one" })]),
    });
    const response = await worker.fetch(request, { ...env, INVALID_EVENTS: "reject" }, {
      waitUntil: () => {},
      passThroughOnException: () => {},
      props: {},
    } as unknown as ExecutionContext);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "invalid event",
      issues: [{ index: 1, path: "message.segmentCount", message: "must be a number" }],
    });
    expect(await storedEvents(id)).toEqual([]);
  });

  it("refuses destination on GET /quarantine with 400 naming it, since held events belong to no destination", async () => {
    for (const query of ["destination=crm", "destination=", "limit=10&destination=default"]) {
      const response = await admin(`/quarantine?${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json()).toEqual({ error: "destination is not supported by GET /quarantine" });
    }
  });

  it("refuses a tampered cursor and pages the list across shards without gaps", async () => {
    expect((await admin("/quarantine?cursor=not-a-cursor")).status).toBe(400);
    const ids = [messageId(), messageId(), messageId()];
    for (const id of ids) await postCallback([eventWith(id, { segmentCount: 1.5 })]);
    const seen: string[] = [];
    await waitFor(async () => {
      seen.length = 0;
      let cursor: string | undefined;
      do {
        const page = (await (
          await admin(`/quarantine?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`)
        ).json()) as QuarantineListing;
        seen.push(...page.items.map((item) => item.messageId));
        cursor = page.nextCursor;
      } while (cursor);
      return ids.every((id) => seen.includes(id)) ? true : undefined;
    });
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("fills a message to its budget: later events quarantined as too large, every accepted one delivered, redeliverable, and the message still expires", async () => {
    const id = messageId();
    const description = "d".repeat(60_000);
    const answers: Array<{ accepted: number; quarantined?: number; issues?: Array<{ message: string }> }> =
      [];
    for (let n = 0; n < 14; n++) {
      const event = statusEvent("message-sending", {
        id,
        to: `+1555000${String(n).padStart(4, "0")}`,
        time: `2024-09-14T18:20:${String(10 + n).padStart(2, "0")}Z`,
        description,
      });
      const response = await postCallback([event]);
      expect(response.status).toBe(200);
      answers.push(await response.json());
    }
    const accepted = answers.filter((a) => a.accepted === 1).length;
    expect(accepted).toBeGreaterThan(3);
    expect(accepted).toBeLessThan(14);
    expect(answers.slice(accepted).every((a) => a.quarantined === 1)).toBe(true);
    expect(answers.at(-1)?.issues?.[0]?.message).toMatch(/^too large: the message's storage budget/);
    await waitFor(async () => ((await forwardsOf(id)).length === accepted ? true : undefined), 15_000);
    // A full message still records attempts and takes a redelivery of everything.
    const redelivery = await admin(`/messages/${id}/redeliver`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ all: true }),
    });
    expect(redelivery.status).toBe(202);
    await waitFor(async () => ((await forwardsOf(id)).length === 2 * accepted ? true : undefined), 15_000);
    await waitFor(async () => ((await listed(id)).length === 14 - accepted ? true : undefined));
    await waitFor(async () =>
      (await storedEvents(id)).every((r) => r.deliveries.default?.state === "delivered") ? true : undefined,
    );
    // Retention: the message, its quarantine and its listing go.
    await ageMessage(id, 0);
    await waitFor(async () => ((await listed(id)).length === 0 ? true : undefined), 15_000);
    await waitFor(async () => ((await deletedMessage(id)) ? true : undefined));
  });
});
