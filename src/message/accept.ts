/**
 * Accepting a batch of one message's events: which of them are duplicates, and the records and the state that
 * the new ones add. Pure: the MessageTracker stores what this returns.
 */
import { type IdentifiedEvent, join, recipientStatus, stateOfEvent } from "./status.ts";
import type { EventRecord, StoredMessage } from "./tracker-sql.ts";

/** How many events of the batch were new, and which ones (by position) were already stored. */
export interface AcceptResult {
  accepted: number;
  duplicate: boolean[];
}

/**
 * Adds the new events of `batch` to `message`, in place: each gets the next sequence number and is pending
 * forwarding now; an event id already stored (or earlier in the batch) only counts one more duplicate.
 */
export function acceptEvents(
  message: StoredMessage,
  batch: readonly IdentifiedEvent[],
  now: number,
): AcceptResult {
  const byId = new Map(message.events.map((record) => [record.eventId, record]));
  let seq = message.events.at(-1)?.seq ?? 0;
  const duplicate: boolean[] = [];
  for (const item of batch) {
    const known = byId.get(item.eventId);
    duplicate.push(known !== undefined);
    if (known) {
      known.duplicates += 1;
      continue;
    }
    const single = stateOfEvent(item);
    const state = message.state ? join(message.state, single) : single;
    message.state = state;
    seq += 1;
    const record: EventRecord = {
      seq,
      eventId: item.eventId,
      instant: single.header.instant,
      event: item.event,
      statusAfter: recipientStatus(state.recipients[item.event.to]),
      duplicates: 0,
      acceptedAt: now,
      retrySince: now,
      forwardState: "pending",
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      forwardedAt: null,
      deadIndex: null,
    };
    message.events.push(record);
    byId.set(item.eventId, record);
  }
  return { accepted: duplicate.filter((known) => !known).length, duplicate };
}
