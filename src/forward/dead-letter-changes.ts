/**
 * What a message must tell the DeadLetters list: an entry for each event and destination that died, a
 * removal for each that was redelivered, moved or expires. Pure: built from the deliveries' `deadIndex` work;
 * list-sync.ts sends it.
 */
import type { EventRecord } from "../message/records.ts";

/** One dead event, for one destination, as the operator's list shows it. */
export interface DeadLetterEntry {
  eventId: string;
  destination: string;
  messageId: string;
  sequence: number;
  type: string;
  attempts: number;
  lastError: string;
  deadAt: number;
}

/** One entry's key in the list. */
export interface DeadLetterKey {
  eventId: string;
  destination: string;
}

/** The changes to send, and the work they stand for (to clear once they were sent). */
export interface DeadLetterChanges {
  added: DeadLetterEntry[];
  removed: DeadLetterKey[];
  work: Array<{ seq: number; destination: string; deadIndex: "add" | "remove" }>;
}

/** The DeadLetters changes of a message's records, dated `now`. */
export function deadLetterChanges(
  messageId: string,
  records: readonly EventRecord[],
  now: number,
): DeadLetterChanges {
  const changes: DeadLetterChanges = { added: [], removed: [], work: [] };
  for (const record of records) {
    for (const [destination, delivery] of Object.entries(record.deliveries)) {
      if (delivery.deadIndex === null) continue;
      changes.work.push({ seq: record.seq, destination, deadIndex: delivery.deadIndex });
      if (delivery.deadIndex === "remove") changes.removed.push({ eventId: record.eventId, destination });
      else {
        changes.added.push({
          eventId: record.eventId,
          destination,
          messageId,
          sequence: record.seq,
          type: record.event.type,
          attempts: delivery.attempts,
          lastError: delivery.lastError ?? "",
          deadAt: now,
        });
      }
    }
  }
  return changes;
}

/** Whether any delivery still has DeadLetters work. */
export function hasDeadLetterWork(records: readonly EventRecord[]): boolean {
  return records.some((record) => Object.values(record.deliveries).some((d) => d.deadIndex !== null));
}

/** Clears the work that was sent (in place); work re-marked meanwhile stays. */
export function clearDeadLetterWork(records: readonly EventRecord[], done: DeadLetterChanges["work"]): void {
  for (const { seq, destination, deadIndex } of done) {
    const delivery = records.find((candidate) => candidate.seq === seq)?.deliveries[destination];
    if (delivery?.deadIndex === deadIndex) delivery.deadIndex = null;
  }
}
