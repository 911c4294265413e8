/**
 * What forwarding costs in storage: a callback is one write of its message, the deliveries it leads to are
 * noted in memory and written once, when the message settles (SETTLE_DELAY_MS); a retry of a stored callback
 * is written with that write when one is due, at once otherwise. The test counts the writes of the message's
 * key (one row written each).
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { eventIdOf } from "../../src/message/event-id.ts";
import { MESSAGE_KEY } from "../../src/objects/message-sql.ts";
import type { MessageTracker } from "../../src/objects/message-tracker.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { forwardsOf, postCallback } from "../helpers/http.ts";
import { settle, storedEvents } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

/** Counts the writes of the message (puts of its key) by its tracker, from now on. */
async function countRowWrites(id: string): Promise<() => number> {
  let writes = 0;
  await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) => {
    const kv = state.storage.kv;
    const put = kv.put.bind(kv);
    kv.put = <T>(key: string, value: T) => {
      if (key === MESSAGE_KEY) writes += 1;
      put(key, value);
    };
  });
  return () => writes;
}

describe("forwarding's writes", () => {
  it("writes a callback of three events once, and their three deliveries once more when the message settles", async () => {
    const id = newMessageId("writes");
    const writes = await countRowWrites(id);
    const batch = [
      statusEvent("message-sending", { id }),
      statusEvent("message-sent", { id, time: "2024-09-14T18:20:17Z" }),
      statusEvent("message-delivered", { id, time: "2024-09-14T18:20:18Z" }),
    ];
    expect((await postCallback(batch)).status).toBe(200);
    await waitFor(async () => ((await forwardsOf(id)).length === 3 ? true : undefined), 10_000, "3 forwards");
    await settle(id);
    expect((await storedEvents(id)).map((record) => record.deliveries.default?.state)).toEqual([
      "delivered",
      "delivered",
      "delivered",
    ]);
    // Before: one write per delivery on top of the callback's (four in all).
    expect(writes()).toBe(2);
  });

  it("writes a retry of a settled message's callback at once, as a duplicate, and forwards nothing", async () => {
    const id = newMessageId("writes-retry");
    const event = statusEvent("message-delivered", { id });
    expect((await postCallback([event])).status).toBe(200);
    await waitFor(
      async () => ((await forwardsOf(id)).length === 1 ? true : undefined),
      10_000,
      "the forward",
    );
    await settle(id);
    const writes = await countRowWrites(id);
    const retry = await postCallback([event]);
    expect(await retry.json()).toMatchObject({ accepted: 0, duplicates: 1 });
    // No write was due (nothing waited in memory): the count is written with the answer.
    expect(writes()).toBe(1);
    expect((await storedEvents(id))[0]?.duplicates).toBe(1);
    expect(await forwardsOf(id)).toHaveLength(1);
    await settle(id);
  });
});

describe("an event accepted while a run is past its drain", () => {
  it("is forwarded by another inline run started as that run ends, not left to an alarm", async () => {
    const id = newMessageId("rerun");
    const late = v.parse(
      BandwidthEventSchema,
      statusEvent("message-delivered", { id, time: "2024-09-14T18:20:18Z" }),
    );
    const item = { eventId: await eventIdOf(late), valid: true as const, event: late };
    // Which kind of run forwards each event; the late one arrives at the alarm's index step, after its drain.
    const forwardedBy: string[] = [];
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (instance: MessageTracker) => {
      const seams = instance as unknown as {
        runWork(mode: string): Promise<void>;
        faultPoint(step: string): void;
      };
      const runWork = seams.runWork.bind(instance);
      let mode = "";
      seams.runWork = (next: string) => {
        mode = next;
        return runWork(next);
      };
      let sent = false;
      seams.faultPoint = (step: string) => {
        if (step === "deliver") forwardedBy.push(mode);
        if (step === "index" && !sent) {
          sent = true;
          void instance.ingest([item]);
        }
      };
    });
    expect((await postCallback([statusEvent("message-sending", { id })])).status).toBe(200);
    await waitFor(async () => ((await forwardsOf(id)).length === 2 ? true : undefined), 10_000, "2 forwards");
    // Before: the late event waited for an alarm set to "now" by the run's re-arm.
    expect(forwardedBy).toEqual(["inline", "inline"]);
    await settle(id);
    expect((await storedEvents(id)).map((record) => record.deliveries.default?.state)).toEqual([
      "delivered",
      "delivered",
    ]);
  });
});
