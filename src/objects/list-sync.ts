/**
 * Keeping the lists across messages current from a MessageTracker's alarm: the DeadLetters index, the
 * QuarantineList shard of the message, and its rows of the D1 message index. Each sync sends only the work recorded in the message's storage and
 * clears only what it sent, so a failure (retried later) or a change made meanwhile loses nothing.
 */
import { clearDeadLetterWork, deadLetterChanges, hasDeadLetterWork } from "../forward/dead-letter-changes.ts";
import { IndexError } from "../index-db/index-error.ts";
import { indexShards, shardNamed, shardNames } from "../index-db/shards.ts";
import { deleteMessage, writeMessage } from "../index-db/write.ts";
import { placementFor, samePlacement, writtenUnder } from "../message/index-placement.ts";
import { indexTime, toIndexRows } from "../message/index-rows.ts";
import { quarantineShard } from "../message/quarantine-list.ts";
import type { EventIssue } from "../message/records.ts";
import type { MessageStore } from "./message-store.ts";
import { clearQuarantineWork, quarantineWork } from "./quarantine-sql.ts";

/** Sends the message's DeadLetters work, then clears it in storage. */
export async function syncDeadLetters(env: Env, store: MessageStore, messageId: string): Promise<void> {
  const changes = deadLetterChanges(messageId, store.message().events, Date.now());
  if (changes.work.length === 0) return;
  await env.DEAD_LETTERS.getByName("global").update(changes.added, changes.removed);
  store.change((message) => ({ result: clearDeadLetterWork(message.events, changes.work) }));
}

/** Sends the message's quarantine list work to its shard, then clears it in storage. */
export async function syncQuarantineList(env: Env, store: MessageStore, messageId: string): Promise<void> {
  if (!store.hasQuarantine()) return;
  const work = store.query(quarantineWork);
  if (work.length === 0) return;
  const added = work
    .filter((item) => item.work === "add")
    .map((item) => ({
      eventId: item.eventId,
      messageId,
      type: item.type,
      issues: JSON.parse(item.issues) as EventIssue[],
      at: item.quarantinedAt,
    }));
  const removed = work.filter((item) => item.work === "remove").map((item) => item.eventId);
  await env.QUARANTINE_LIST.getByName(quarantineShard(messageId)).update(added, removed);
  store.transaction((sql) => clearQuarantineWork(sql, work));
}

/**
 * Plans the message's next index write before the alarm's flush: its placement (the shard, chosen now for a new
 * message, and the row's key) is noted so that the flush stores it, before the write that uses it.
 */
export function planIndex(env: Env, store: MessageStore): void {
  const { state, events, index } = store.message();
  if (!state) return;
  const time = indexTime(state, events);
  store.notePlacement(placementFor(index, state.header.id, time, shardNames(env.INDEX_SHARDS)), true);
}

/**
 * Writes the message's row of the D1 index (in its shard), as of now; a late retry of an older write changes
 * nothing there. Returns the activity time the row reflects.
 */
export async function syncIndex(
  env: Env,
  store: MessageStore,
  reconciliation: "given-up" | null = null,
): Promise<number> {
  const activity = store.lastActivity() ?? 0;
  const { state, events } = store.message();
  if (state) {
    const rows = toIndexRows(state, events, store.heldIds().size, Date.now(), reconciliation);
    const { time } = rows.summary;
    const placement = placementFor(
      store.message().index,
      state.header.id,
      time,
      shardNames(env.INDEX_SHARDS),
    );
    // Planned before the flush as a rule; otherwise stored now, before the write that uses it.
    if (!samePlacement(store.message().index, placement)) {
      store.notePlacement(placement, true);
      store.flush();
    }
    await writeMessage(
      shardDb(env, placement.shard),
      rows,
      placement.times.filter((t) => t !== time),
    );
    store.notePlacement(writtenUnder(placement, time), false);
  }
  return activity;
}

/** Removes the message's rows from its shard of the D1 index (its retention). */
export async function dropFromIndex(env: Env, store: MessageStore): Promise<void> {
  const { state, events, index } = store.message();
  if (!state || !index) return;
  const times = [...new Set([...index.times, indexTime(state, events)])];
  await deleteMessage(shardDb(env, index.shard), state.header.id, times);
}

/** The database of the shard named `name`; an IndexError when INDEX_SHARDS no longer names it. */
function shardDb(env: Env, name: string): D1Database {
  const shard = shardNamed(indexShards(env), name);
  if (!shard)
    throw new IndexError("writeMessage", new RangeError("the message's shard is not in INDEX_SHARDS"));
  return shard.db;
}

/** Whether the message has list work left to send. */
export function hasListWork(store: MessageStore): boolean {
  if (hasDeadLetterWork(store.message().events)) return true;
  return store.hasQuarantine() && store.query(quarantineWork).length > 0;
}
