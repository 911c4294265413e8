/**
 * Keeping the lists across messages current from a MessageTracker's alarm: the DeadLetters index and the
 * QuarantineList shard of the message. Each sync sends only the work recorded in the message's storage and
 * clears only what it sent, so a failure (retried later) or a change made meanwhile loses nothing.
 */

import { deadIndexWork } from "../forward/outbox.ts";
import { quarantineShard } from "../message/quarantine-list.ts";
import type { EventIssue, StoredMessage } from "../message/records.ts";
import type { DeadLetterEntry } from "./dead-letter-sql.ts";
import { clearQuarantineWork, quarantineWork } from "./quarantine-sql.ts";

/** Sends the message's DeadLetters work; returns the work sent, to be cleared once the call succeeded. */
export async function syncDeadLetters(
  env: Env,
  messageId: string,
  message: StoredMessage,
  now: number,
): Promise<Array<{ seq: number; deadIndex: "add" | "remove" }>> {
  const records = deadIndexWork(message.events);
  if (records.length === 0) return [];
  const added: DeadLetterEntry[] = records
    .filter((record) => record.deadIndex === "add")
    .map((record) => ({
      eventId: record.eventId,
      messageId,
      sequence: record.seq,
      type: record.event.type,
      attempts: record.attempts,
      lastError: record.lastError ?? "",
      deadAt: now,
    }));
  const removed = records.filter((record) => record.deadIndex === "remove").map((record) => record.eventId);
  await env.DEAD_LETTERS.getByName("global").update(added, removed);
  return records.map((record) => ({ seq: record.seq, deadIndex: record.deadIndex ?? "add" }));
}

/** Clears DeadLetters work that was sent, on the message (in place); work re-marked meanwhile stays. */
export function clearDeadLetterWork(
  message: StoredMessage,
  done: ReadonlyArray<{ seq: number; deadIndex: "add" | "remove" }>,
): void {
  for (const { seq, deadIndex } of done) {
    const record = message.events.find((candidate) => candidate.seq === seq);
    if (record?.deadIndex === deadIndex) record.deadIndex = null;
  }
}

/** Sends the message's quarantine list work to its shard, then clears it in storage. */
export async function syncQuarantineList(
  env: Env,
  sql: SqlStorage,
  messageId: string,
  transaction: (write: () => void) => void,
): Promise<void> {
  const work = quarantineWork(sql);
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
  transaction(() => clearQuarantineWork(sql, work));
}
