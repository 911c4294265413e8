/**
 * Bulk redelivery (POST /dead-letters/redeliver) in batches: a message whose redelivery schedules nothing
 * stays listed, so each call goes on after the previous one's messages (`cursor` ← `nextCursor`) instead of
 * taking the same first ones again. Its own file, since the dead-letter list is one object for the whole
 * file.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { DeadLetterEntry } from "../../src/forward/dead-letter-changes.ts";
import { encodeCursor } from "../../src/message/list-cursor.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, followNextCursor, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

interface BulkAnswer {
  redelivered: number;
  messages: number;
  nextCursor?: string;
}

const deadLetters = () => env.DEAD_LETTERS.getByName("global");
const stale: DeadLetterEntry[] = [];
const used: string[] = [];

afterEach(async () => {
  await deadLetters().update([], stale.splice(0));
  await settle(...used.splice(0));
});

function redeliver(body: Record<string, unknown>): Promise<Response> {
  return admin("/dead-letters/redeliver", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/**
 * Lists dead events of messages this receiver does not hold, like list entries their message's sync has not
 * removed yet: redelivering them schedules nothing, and they stay listed. Their ids sort before the others'.
 */
async function listStaleEntries(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newMessageId("0-stale"));
  const entries = ids.map((messageId, n) => ({
    eventId: `evt_stale_${n}_${messageId}`,
    destination: "default",
    messageId,
    sequence: 1,
    type: "com.bandwidth.message.sent",
    attempts: 1,
    lastError: "HTTP 400",
    deadAt: Date.now(),
  }));
  stale.push(...entries);
  await deadLetters().update(entries, []);
  return ids;
}

/** Ids of the messages GET /dead-letters lists. */
async function listedMessages(): Promise<Set<string>> {
  const page = (await (await admin("/dead-letters?limit=1000")).json()) as {
    items: Array<{ messageId: string }>;
  };
  return new Set(page.items.map((item) => item.messageId));
}

describe("POST /dead-letters/redeliver in batches", () => {
  it("follows nextCursor past messages whose redelivery schedules nothing, taking every message once", async () => {
    const stuck = await listStaleEntries(3);
    const event = statusEvent("message-failed", { id: newMessageId("1-dead"), errorCode: 4432 });
    const id = event.message.id;
    used.push(id);
    await scriptDownstream(id, [400]);
    await postCallback([event]);
    const listed = await waitFor(async () => {
      const ids = await listedMessages();
      return ids.has(id) ? ids : undefined;
    });
    expect([...listed].sort()).toEqual([...stuck, id].sort());

    const answers = await followNextCursor<BulkAnswer>(
      (cursor) => redeliver({ limit: 2, ...(cursor ? { cursor } : {}) }),
      202,
      10,
    );

    // Two batches of two: the stale three first (by id), then the dead message; no message twice, none left.
    expect(answers).toEqual([
      { redelivered: 0, messages: 2, nextCursor: expect.any(String) },
      { redelivered: 1, messages: 2 },
    ]);
    await waitFor(async () => ((await forwardsOf(id)).length === 2 ? true : undefined));
    // The stale entries are still listed: a call without a cursor would take them first again.
    await waitFor(async () => ((await listedMessages()).size === stuck.length ? true : undefined));
    expect(await listedMessages()).toEqual(new Set(stuck));
  });

  it("answers nextCursor only when the batch is full and more messages remain", async () => {
    await listStaleEntries(2);
    const full = (await (await redeliver({ limit: 2 })).json()) as BulkAnswer;
    expect(full).toEqual({ redelivered: 0, messages: 2 });
    const first = (await (await redeliver({ limit: 1 })).json()) as BulkAnswer;
    expect(first).toEqual({ redelivered: 0, messages: 1, nextCursor: expect.any(String) });
    const last = (await (await redeliver({ limit: 1, cursor: first.nextCursor })).json()) as BulkAnswer;
    expect(last).toEqual({ redelivered: 0, messages: 1 });
  });

  it("refuses a cursor that is not one of its own with 400, redelivering nothing", async () => {
    await listStaleEntries(1);
    const listCursor = encodeCursor([Date.now(), "evt_1 default"]);
    for (const cursor of ["not-a-cursor", btoa('{"after":""}'), listCursor, 42]) {
      const response = await redeliver({ cursor });
      expect(response.status, String(cursor)).toBe(400);
      if (typeof cursor === "string") expect(await response.json()).toEqual({ error: "cursor is not valid" });
    }
  });
});
