/**
 * Keeping the lists across messages current from a MessageTracker's alarm: the DeadLetters index, the
 * QuarantineList shard of the message, and its rows of the D1 message index. Each sync sends only the work recorded in the message's storage and
 * clears only what it sent, so a failure (retried later) or a change made meanwhile loses nothing.
 */
import { clearDeadLetterWork, deadLetterChanges, hasDeadLetterWork } from "../forward/dead-letter-changes.ts";
import { deleteMessage, writeMessage } from "../index-db/write.ts";
import { toIndexRows } from "../message/index-rows.ts";
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
 * Writes the message's rows of the D1 index (its summary and its recipients), as of now; a late retry of an
 * older write changes nothing there. Returns the activity time the rows reflect.
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
    await writeMessage(env.MESSAGE_INDEX, rows);
  }
  return activity;
}

/** Removes the message's rows from the D1 index (its retention). */
export async function dropFromIndex(env: Env, messageId: string): Promise<void> {
  await deleteMessage(env.MESSAGE_INDEX, messageId);
}

/** Whether the message has list work left to send. */
export function hasListWork(store: MessageStore): boolean {
  if (hasDeadLetterWork(store.message().events)) return true;
  return store.hasQuarantine() && store.query(quarantineWork).length > 0;
}
