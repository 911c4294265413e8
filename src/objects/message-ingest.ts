/**
 * Accepting a batch into a MessageTracker's storage: the pure decision (message/accept.ts) and the quarantine
 * table's writes, in one transaction, then the held ids kept in memory brought up to date.
 */
import { log } from "../log.ts";
import { type AcceptContext, acceptEvents, type IngestItem, type ItemOutcome } from "../message/accept.ts";
import type { StoredMessage } from "../message/records.ts";
import type { MessageStore } from "./message-store.ts";
import { countHeldDuplicates, createQuarantineTable, holdEvents, releaseEvents } from "./quarantine-sql.ts";

/**
 * Accepts `batch` (or, `releasing`, the held events checked again) and returns each event's outcome. A held
 * event that arrives valid is accepted and leaves quarantine.
 */
export function acceptBatch(
  store: MessageStore,
  batch: readonly IngestItem[],
  {
    now,
    route,
    holdsMedia,
    releasing = false,
    place,
  }: Pick<AcceptContext, "now" | "route" | "holdsMedia"> & {
    releasing?: boolean;
    /** Sets where the message's index row goes, in the same write (its first events choose its shard). */
    place?: (message: StoredMessage) => void;
  },
): ItemOutcome[] {
  const outcome = store.change((message, sql) => {
    const held = store.heldIds();
    // Released events are held already: an invalid one stays with its current issues, not as a duplicate.
    const result = acceptEvents(message, batch, {
      now,
      ...(route ? { route } : {}),
      ...(holdsMedia ? { holdsMedia } : {}),
      held: releasing ? new Set() : held,
    });
    const released = batch.filter(
      (item, i) => held.has(item.eventId) && result.outcomes[i]?.kind === "accepted",
    );
    if (result.quarantined.length > 0) {
      createQuarantineTable(sql);
      holdEvents(sql, result.quarantined);
    }
    if (result.heldDuplicates.length > 0) countHeldDuplicates(sql, result.heldDuplicates);
    if (released.length > 0)
      releaseEvents(
        sql,
        released.map((item) => item.eventId),
      );
    const changed = result.outcomes.some((item) => item.kind !== "duplicate");
    if (changed) place?.(message);
    // A retry of what this message holds already changes only its duplicate counts: while a write is due anyway
    // (changes wait in memory, and the alarm that writes them is set), they go with it; otherwise now.
    const quarantineWrites = result.quarantined.length + result.heldDuplicates.length + released.length;
    const writeDue = store.unsavedChangesSince() !== undefined;
    return {
      result: { ...result, released, held },
      activityAt: changed ? now : undefined,
      unchanged: !changed && quarantineWrites === 0 && writeDue,
      at: now,
    };
  });
  if (outcome.quarantined.length > 0) store.noteQuarantine();
  for (const item of outcome.released) outcome.held.delete(item.eventId);
  for (const record of outcome.quarantined) outcome.held.add(record.eventId);
  return outcome.outcomes;
}

/** One log line per event of a batch: stored, duplicate or quarantined (never its text or numbers). */
export function logOutcome(item: IngestItem, outcome: ItemOutcome | undefined): void {
  const envelope = item.valid ? item.event : item.raw;
  const kind = outcome?.kind ?? "duplicate";
  const event =
    kind === "accepted" ? "event_stored" : kind === "duplicate" ? "event_duplicate" : "event_quarantined";
  const fields = {
    messageId: envelope.message.id,
    eventId: item.eventId,
    type: envelope.type.slice(0, 100),
    ...(item.valid && item.trace && kind === "accepted" ? { traceId: item.trace.traceId } : {}),
  };
  log(kind === "quarantined" ? "warn" : "info", event, fields);
  // Stored, and no destination's filter took it: the operator hears of it (GET /messages?forwarding=unrouted).
  if (outcome?.kind === "accepted" && outcome.unrouted) log("warn", "event_unrouted", fields);
}
