/**
 * Retention: when a message may be deleted, and what its deletion must first undo in the lists across
 * messages. Pure: the MessageTracker asks and acts.
 */
import type { EventRecord } from "./records.ts";

/** Whether a message is due for deletion: nothing pending, and its last activity older than the retention. */
export function isExpired(input: {
  /** Whether any delivery of any event is pending (a paused destination's included). */
  pending: boolean;
  /** The last activity, or undefined before the first. */
  updatedAt: number | undefined;
  retentionMs: number;
  now: number;
}): boolean {
  if (input.pending || input.updatedAt === undefined) return false;
  return input.now >= input.updatedAt + input.retentionMs;
}

/** Marks the dead deliveries' entries for removal from the DeadLetters list (in place), before the deletion. */
export function markDeadForRemoval(records: readonly EventRecord[]): void {
  for (const record of records) {
    for (const delivery of Object.values(record.deliveries))
      if (delivery.state === "dead") delivery.deadIndex = "remove";
  }
}

/**
 * Marks the dead deliveries' entries to be listed again (in place): expiry took them off the list, then new
 * activity kept the message.
 */
export function markDeadForListing(records: readonly EventRecord[]): void {
  for (const record of records) {
    for (const delivery of Object.values(record.deliveries))
      if (delivery.state === "dead") delivery.deadIndex = "add";
  }
}
