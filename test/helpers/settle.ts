/**
 * Ending a test cleanly: Durable Object alarms are not reset between tests, and one firing after its test has
 * ended stalls the run. A test that stores events waits for their outbox to drain, then disarms the alarm.
 *
 * It observes the object's storage directly and never calls the tracker's own methods: those re-arm a lost
 * alarm, which would hide the very failure a test must see (an event that waits forever).
 */

import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { EventRecord } from "../../src/message/records.ts";
import { existingTables, loadMessage, readRecord, writeRecord } from "../../src/objects/message-sql.ts";
import { waitFor } from "./wait.ts";

/** The message's stored event records, read without touching the tracker's code (empty when it has none). */
export async function storedEvents(messageId: string): Promise<EventRecord[]> {
  const stub = env.MESSAGE_TRACKER.getByName(messageId);
  return runInDurableObject(stub, (_instance, state) => loadMessage(state.storage).events);
}

/** Whether the object of `messageId` holds nothing at all any more (retention deleted it). */
export async function deletedMessage(messageId: string): Promise<boolean> {
  return runInDurableObject(
    env.MESSAGE_TRACKER.getByName(messageId),
    (_instance, state) =>
      readRecord(state.storage) === undefined && existingTables(state.storage.sql).size === 0,
  );
}

/**
 * Rewrites the time of the message's last activity in storage (to make it older than its retention, say), makes
 * the object read it again, and makes its alarm due now.
 */
export async function ageMessage(messageId: string, updatedAt: number): Promise<void> {
  await runInDurableObject(env.MESSAGE_TRACKER.getByName(messageId), async (instance, state) => {
    const record = readRecord(state.storage);
    if (!record) throw new Error(`${messageId} holds no message`);
    writeRecord(state.storage, { ...record, updatedAt });
    (instance as unknown as { store: { forget(): void } }).store.forget();
    await state.storage.setAlarm(Date.now());
  });
}

/** Waits until no event of these messages is pending forwarding, then removes their alarms. */
export async function settle(...messageIds: string[]): Promise<void> {
  for (const id of messageIds) {
    await waitFor(
      async () =>
        (await storedEvents(id)).every((e) => Object.values(e.deliveries).every((d) => d.state !== "pending"))
          ? true
          : undefined,
      15_000,
      `the outbox of ${id} to drain`,
    );
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
      state.storage.deleteAlarm(),
    );
  }
}

/** Waits until every event of message `id` has reached `state` for the default destination (its snapshot says so). */
export async function forwardingState(id: string, state: string): Promise<void> {
  await waitFor(
    async () => {
      const view = await env.MESSAGE_TRACKER.getByName(id).snapshot();
      return view?.events.every((event) => event.forwarding.default?.state === state) ? true : undefined;
    },
    10_000,
    `the events of ${id} to be ${state}`,
  );
}
