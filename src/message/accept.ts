/**
 * Accepting a batch of one message's events: which are duplicates, which are held in quarantine (invalid, or
 * over the message's storage budget), and the records and the state that the new ones add. Pure: the
 * MessageTracker stores what this returns.
 */
import { checkEvent } from "../bandwidth/parse.ts";
import type { EventEnvelope } from "../bandwidth/schema.ts";
import { utf8Length } from "../bandwidth/size.ts";
import { instantKey } from "../bandwidth/time.ts";
import { MESSAGE_BUDGET_BYTES, recordHeadroom, usedBytes } from "./budget.ts";
import type { EventIssue, EventRecord, QuarantineRecord, StoredMessage } from "./records.ts";
import { pendingDelivery } from "./records.ts";
import { type IdentifiedEvent, join, recipientStatus, stateOfEvent } from "./status.ts";
import { acceptanceTrace, type TraceContext } from "./trace-context.ts";

/**
 * One event as the Worker hands it to its message: valid (with the trace context of its acceptance, when the
 * Worker gave one), or invalid with its issues (to be quarantined).
 */
export type IngestItem =
  | (IdentifiedEvent & { valid: true; trace?: TraceContext })
  | { eventId: string; valid: false; raw: EventEnvelope; issues: EventIssue[] };

/** What became of one event of the batch. */
export type ItemOutcome =
  | { kind: "accepted"; unrouted?: true }
  | { kind: "duplicate" }
  | { kind: "quarantined"; issues: EventIssue[] };

/** What a batch did: an outcome per event, and the quarantine records to store or count a duplicate on. */
export interface AcceptResult {
  outcomes: ItemOutcome[];
  /** New quarantine records (or new issues for one already held). */
  quarantined: QuarantineRecord[];
  /** Ids of held events that were sent again while still invalid. */
  heldDuplicates: string[];
}

/** What acceptance needs besides the message and the batch. */
export interface AcceptContext {
  now: number;
  /** Ids of the events this message holds in quarantine: an invalid one sent again is a duplicate. */
  held?: ReadonlySet<string>;
  budgetBytes?: number;
  /** The destinations an accepted event goes to, decided once, at acceptance (default: `default`). */
  route?: (event: IdentifiedEvent["event"]) => readonly string[];
  /** Whether an accepted event waits for its media copies before it is forwarded (default: never). */
  holdsMedia?: (event: IdentifiedEvent["event"]) => boolean;
  /** The trace context of an accepted event that came without one (default: a new random trace). */
  newTrace?: () => TraceContext;
}

/** Longest `type` kept on a quarantine record. */
const MAX_TYPE_LENGTH = 100;

/**
 * Adds the new events of `batch` to `message`, in place: each valid one that fits the budget gets the next
 * sequence number and is pending forwarding now; an event id already stored (or earlier in the batch) only
 * counts one more duplicate; an invalid event, or one over the budget, is held in quarantine.
 */
export function acceptEvents(
  message: StoredMessage,
  batch: readonly IngestItem[],
  {
    now,
    held = new Set(),
    budgetBytes = MESSAGE_BUDGET_BYTES,
    route = () => ["default"],
    holdsMedia = () => false,
    newTrace = () => acceptanceTrace(),
  }: AcceptContext,
): AcceptResult {
  const byId = new Map(message.events.map((record) => [record.eventId, record]));
  const heldNow = new Set(held);
  const result: AcceptResult = { outcomes: [], quarantined: [], heldDuplicates: [] };
  let used = usedBytes(message);
  let seq = message.events.at(-1)?.seq ?? 0;
  const quarantine = (item: IngestItem, raw: EventEnvelope, issues: EventIssue[]) => {
    result.quarantined.push(quarantineRecord(item.eventId, raw, issues, now));
    result.outcomes.push({ kind: "quarantined", issues });
    heldNow.add(item.eventId);
  };
  for (const item of batch) {
    const known = byId.get(item.eventId);
    if (known) {
      known.duplicates += 1;
      result.outcomes.push({ kind: "duplicate" });
    } else if (!item.valid && heldNow.has(item.eventId)) {
      result.heldDuplicates.push(item.eventId);
      result.outcomes.push({ kind: "duplicate" });
    } else if (!item.valid) {
      quarantine(item, item.raw, item.issues);
    } else {
      const single = stateOfEvent(item);
      const state = message.state ? join(message.state, single) : single;
      const status = recipientStatus(state.recipients[item.event.to]);
      const record = newRecord(item, seq + 1, status, route(item.event), now);
      record.trace = item.trace ?? newTrace();
      const stateGrowth =
        utf8Length(JSON.stringify(state)) - utf8Length(JSON.stringify(message.state ?? null));
      if (holdsMedia(item.event)) record.media = { settled: false };
      const cost = utf8Length(JSON.stringify(record)) + 1 + recordHeadroom(record) + stateGrowth;
      if (used + cost > budgetBytes) {
        // Held as too large before: Bandwidth's retry of it is a duplicate, not news.
        if (heldNow.has(item.eventId)) {
          result.heldDuplicates.push(item.eventId);
          result.outcomes.push({ kind: "duplicate" });
        } else quarantine(item, item.event, [{ path: "", message: budgetIssue(budgetBytes) }]);
        continue;
      }
      used += cost;
      seq += 1;
      message.state = state;
      message.events.push(record);
      byId.set(item.eventId, record);
      heldNow.delete(item.eventId);
      // No destination's filter took it: accepted all the same, and shown as unrouted (message/view.ts).
      result.outcomes.push(
        Object.keys(record.deliveries).length === 0
          ? { kind: "accepted", unrouted: true }
          : { kind: "accepted" },
      );
    }
  }
  return result;
}

/** What one ingest call did, with the issues of each quarantined event by its batch position. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  quarantined: number;
  issues: Array<{ position: number; path: string; message: string }>;
}

/** The counts and the issues (by batch position) of a batch's outcomes. */
export function summarizeOutcomes(outcomes: readonly ItemOutcome[]): IngestResult {
  const counts = countOutcomes(outcomes);
  return {
    accepted: counts.accepted,
    duplicates: counts.duplicate,
    quarantined: counts.quarantined,
    issues: outcomes.flatMap((outcome, position) =>
      outcome.kind === "quarantined" ? outcome.issues.map((issue) => ({ position, ...issue })) : [],
    ),
  };
}

/** The held events, checked again with today's schemas: each as it would arrive now. */
export function recheckHeld(records: readonly QuarantineRecord[]): IngestItem[] {
  return records.map(({ eventId, raw }) => {
    const checked = checkEvent(raw as EventEnvelope);
    return checked.valid
      ? { eventId, valid: true, event: checked.event }
      : { eventId, valid: false, raw: checked.raw, issues: checked.issues };
  });
}

/** How many events of a result were accepted, were duplicates, and were quarantined. */
export function countOutcomes(outcomes: readonly ItemOutcome[]): Record<ItemOutcome["kind"], number> {
  const counts = { accepted: 0, duplicate: 0, quarantined: 0 };
  for (const outcome of outcomes) counts[outcome.kind] += 1;
  return counts;
}

function budgetIssue(budgetBytes: number): string {
  return `too large: the message's storage budget (${budgetBytes} bytes) is full`;
}

function newRecord(
  item: IdentifiedEvent,
  seq: number,
  statusAfter: string,
  destinations: readonly string[],
  now: number,
): EventRecord {
  return {
    seq,
    eventId: item.eventId,
    instant: instantKey(item.event.time),
    event: item.event,
    statusAfter,
    duplicates: 0,
    acceptedAt: now,
    deliveries: Object.fromEntries(destinations.map((name) => [name, pendingDelivery(now)])),
  };
}

function quarantineRecord(
  eventId: string,
  raw: EventEnvelope,
  issues: EventIssue[],
  now: number,
): QuarantineRecord {
  return {
    eventId,
    type: raw.type.slice(0, MAX_TYPE_LENGTH),
    raw,
    issues,
    quarantinedAt: now,
    duplicates: 0,
  };
}
