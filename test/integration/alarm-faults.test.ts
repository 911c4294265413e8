/**
 * An alarm that always comes back: a failure injected at each write and await of the tracker's runs, inline
 * or from alarm() (the lists across messages, the forward, noting the attempt, writing the noted deliveries,
 * clearing list work, expiry, setting the next alarm) still ends with the event delivered (or listed as dead, or the message expired), with no other call
 * to the object: the test only watches the downstream, the dead-letter list and, at the end, raw storage.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AlarmStep, MessageTracker } from "../../src/objects/message-tracker.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { ageMessage, deletedMessage, settle, storedEvents } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

type Step = AlarmStep | "write";

/** The tracker's seams, as a test sees them. */
interface Seams {
  faultPoint(step: AlarmStep): void;
  store: { change: (...args: unknown[]) => unknown };
}

const used: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await settle(...used.splice(0));
});

/**
 * Makes the `nth` occurrence of `step` in the tracker of `id` throw once. `write` counts the object's storage
 * transactions (the first is the ingest itself, so alarm writes start at 2).
 */
async function injectFault(id: string, step: Step, nth = 1): Promise<{ fired: () => boolean }> {
  let seen = 0;
  let fired = false;
  await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (instance: MessageTracker) => {
    const seams = instance as unknown as Seams;
    const shouldThrow = (name: Step) => {
      if (name !== step || fired) return false;
      seen += 1;
      if (seen < nth) return false;
      fired = true;
      return true;
    };
    if (step === "write") {
      const change = seams.store.change.bind(seams.store);
      seams.store.change = (...args: unknown[]) => {
        if (shouldThrow("write")) throw new Error(`injected failure at write ${nth}`);
        return change(...args);
      };
    } else {
      seams.faultPoint = (name: AlarmStep) => {
        if (shouldThrow(name)) throw new Error(`injected failure at ${name}`);
      };
    }
  });
  return { fired: () => fired };
}

function messageId(): string {
  const id = newMessageId("alarm-fault");
  used.push(id);
  return id;
}

async function deliveredTo(id: string, count: number): Promise<void> {
  await waitFor(
    async () =>
      new Set((await forwardsOf(id)).map((f) => f.headers["webhook-id"])).size === count ? true : undefined,
    15_000,
    `${count} event(s) of ${id} at the downstream`,
  );
}

describe("a failure inside alarm() never strands an event", { timeout: 40_000 }, () => {
  // The last column: every request the downstream gets, by sequence. Only a throw between the downstream's 2xx
  // and noting it loses that 2xx (at least once: the event goes again, same id); a throw at writing the noted
  // deliveries keeps the notes, so nothing goes twice.
  it.each<[string, Step, number, string[]]>([
    ["the list sync before draining", "lists", 1, ["1", "2"]],
    ["the forward itself", "deliver", 1, ["1", "2"]],
    ["recording the attempt", "write", 2, ["1", "2"]],
    ["noting the delivery in memory", "record", 1, ["1", "1", "2"]],
    ["writing the noted deliveries", "flush", 1, ["1", "2"]],
    ["setting the next alarm", "schedule", 1, ["1", "2"]],
  ])("delivers after a throw at %s, with nothing touching the object", async (_, step, nth, requests) => {
    const id = messageId();
    const fault = await injectFault(id, step, nth);
    // One request, so that the ingest is the object's first and only write before the alarm's.
    const batch = [
      statusEvent("message-sending", { id }),
      statusEvent("message-sent", { id, time: "2024-09-14T18:20:17Z" }),
    ];
    expect((await postCallback(batch)).status).toBe(200);
    await deliveredTo(id, 2);
    expect(fault.fired()).toBe(true);
    const records = await storedEvents(id);
    await waitFor(async () =>
      (await storedEvents(id)).every((r) => r.deliveries.default?.state === "delivered") ? true : undefined,
    );
    expect(records.map((r) => r.seq)).toEqual([1, 2]);
    // In order: the first delivery of each event follows the sequence.
    const firsts = [...new Set((await forwardsOf(id)).map((f) => JSON.parse(f.body).sequence as string))];
    expect(firsts).toEqual(["1", "2"]);
    // Every request counts, not only distinct ids: a delivery noted and then lost would show as a request more.
    expect((await forwardsOf(id)).map((f) => JSON.parse(f.body).sequence as string)).toEqual(requests);
  });

  it("logs list_update_failed with the message id when a list sync throws, and still delivers", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: unknown) => lines.push(String(line)));
    const id = messageId();
    const fault = await injectFault(id, "lists");
    expect((await postCallback([statusEvent("message-sending", { id })])).status).toBe(200);
    await deliveredTo(id, 1);
    expect(fault.fired()).toBe(true);
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual({
      level: "error",
      event: "list_update_failed",
      messageId: id,
      error: "Error: injected failure at lists",
    });
  });

  it.each<[string, Step, number]>([
    ["the list sync after the event died", "lists", 2],
    ["clearing the list work after the sync", "write", 3],
  ])("lists a dead event after a throw at %s", async (_, step, nth) => {
    const id = messageId();
    await scriptDownstream(id, [400]);
    const fault = await injectFault(id, step, nth);
    expect((await postCallback([statusEvent("message-sending", { id })])).status).toBe(200);
    await waitFor(
      async () => {
        const page = (await (await admin("/dead-letters?limit=1000")).json()) as {
          items: Array<{ messageId: string }>;
        };
        return page.items.some((item) => item.messageId === id) ? true : undefined;
      },
      30_000,
      "the dead event to be listed",
    );
    expect(fault.fired()).toBe(true);
    await waitFor(async () =>
      (await storedEvents(id))[0]?.deliveries.default?.deadIndex === null ? true : undefined,
    );
  });

  it("expires the message after a throw during expiry", async () => {
    const id = messageId();
    const fault = await injectFault(id, "expire");
    await postCallback([statusEvent("message-delivered", { id })]);
    await deliveredTo(id, 1);
    await waitFor(async () =>
      (await storedEvents(id))[0]?.deliveries.default?.state === "delivered" ? true : undefined,
    );
    // Make the message older than its retention, and due now.
    await ageMessage(id, 0);
    await waitFor(
      async () => ((await deletedMessage(id)) ? true : undefined),
      15_000,
      "the message to expire",
    );
    expect(fault.fired()).toBe(true);
  });
});
