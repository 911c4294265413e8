/**
 * What a message must tell the DeadLetters list: an entry for each event that died, a removal for each that
 * was redelivered or expires. Pure: built from the records' `deadIndex` work; list-sync.ts sends it.
 */
import type { EventRecord } from "../message/records.ts";

/** One dead event as the operator's list shows it. */
export interface DeadLetterEntry {
  eventId: string;
  messageId: string;
  sequence: number;
  type: string;
  attempts: number;
  lastError: string;
  deadAt: number;
}

/** The changes to send, and the work they stand for (to clear once they were sent). */
export interface DeadLetterChanges {
  added: DeadLetterEntry[];
  removed: string[];
  work: Array<{ seq: number; deadIndex: "add" | "remove" }>;
}

/** The DeadLetters changes of a message's records, dated `now`. */
export function deadLetterChanges(
  messageId: string,
  records: readonly EventRecord[],
  now: number,
): DeadLetterChanges {
  const changes: DeadLetterChanges = { added: [], removed: [], work: [] };
  for (const record of records) {
    if (record.deadIndex === null) continue;
    changes.work.push({ seq: record.seq, deadIndex: record.deadIndex });
    if (record.deadIndex === "remove") changes.removed.push(record.eventId);
    else {
      changes.added.push({
        eventId: record.eventId,
        messageId,
        sequence: record.seq,
        type: record.event.type,
        attempts: record.attempts,
        lastError: record.lastError ?? "",
        deadAt: now,
      });
    }
  }
  return changes;
}

/** Clears the work that was sent (in place); work re-marked meanwhile stays. */
export function clearDeadLetterWork(records: readonly EventRecord[], done: DeadLetterChanges["work"]): void {
  for (const { seq, deadIndex } of done) {
    const record = records.find((candidate) => candidate.seq === seq);
    if (record?.deadIndex === deadIndex) record.deadIndex = null;
  }
}
