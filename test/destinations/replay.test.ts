/**
 * POST /replay: every event of the messages a search filter matches goes again to the destination named, same
 * ids, in sequence order per message, worked through in batches by a ReplayJob; `dryRun` only counts.
 */
import { afterAll, describe, expect, it } from "vitest";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, postCallback } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";
import { firstDeliveries, waitForReceived } from "./helpers.ts";

const tag = `replay-${Date.now().toString(36)}`;
const ids = [newMessageId("replay"), newMessageId("replay"), newMessageId("replay")];
afterAll(async () => {
  await settle(...ids);
});

function tagged(id: string, type: string, second: number) {
  const event = statusEvent(type, { id, time: `2024-09-14T18:20:${second}Z` }) as unknown as {
    message: Record<string, unknown>;
  };
  event.message.tag = tag;
  event.message.time = new Date(Date.now() - 120_000).toISOString();
  return event;
}

async function replay(body: unknown): Promise<Response> {
  return admin("/replay", { method: "POST", body: JSON.stringify(body) });
}

describe("replay", { timeout: 60_000 }, () => {
  it("counts with dryRun, then sends every event of the matching messages to the destination, in order, same ids", async () => {
    for (const id of ids) {
      for (const [n, type] of ["message-sending", "message-sent"].entries()) {
        expect((await postCallback([tagged(id, type, 10 + n)])).status).toBe(200);
      }
    }
    // The index follows within seconds; the tag routes these events to no destination at all.
    await waitFor(async () => {
      const answer = (await (await replay({ filter: { tag }, destination: "crm", dryRun: true })).json()) as {
        messages: number;
      };
      return answer.messages === 3 ? answer : undefined;
    });
    const dry = await replay({ filter: { tag }, destination: "crm", dryRun: true });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toEqual({ messages: 3, events: 6, dryRun: true });

    const started = await replay({ filter: { tag }, destination: "crm" });
    expect(started.status).toBe(202);
    const { replayId, ...counts } = (await started.json()) as {
      replayId: string;
      messages: number;
      events: number;
    };
    expect(counts).toEqual({ messages: 3, events: 6 });
    for (const id of ids) {
      const received = await waitForReceived("crm", id, 2);
      expect(firstDeliveries(received).map((r) => [r.type, r.sequence])).toEqual([
        ["com.bandwidth.message.sending", "1"],
        ["com.bandwidth.message.sent", "2"],
      ]);
    }
    const progress = await waitFor(async () => {
      const body = (await (await admin(`/replay/${replayId}`)).json()) as { done: boolean };
      return body.done ? body : undefined;
    });
    expect(progress).toMatchObject({ destination: "crm", messages: 3, events: 6, done: true });
  });

  it("refuses a destination that is not configured, an unknown filter field and a missing body", async () => {
    expect((await replay({ filter: { tag }, destination: "nowhere" })).status).toBe(404);
    expect((await replay({ filter: { colour: "red" }, destination: "crm" })).status).toBe(400);
    expect((await replay({ filter: { since: "yesterday" }, destination: "crm" })).status).toBe(400);
    expect((await admin("/replay", { method: "POST" })).status).toBe(400);
    expect((await admin("/replay/not-a-replay")).status).toBe(404);
  });
});
