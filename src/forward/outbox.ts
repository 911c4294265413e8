/**
 * The outboxes inside a MessageTracker, one per destination, as pure functions over the message's event
 * records: which event is next for a destination, what an attempt's outcome does to its delivery, what a
 * redelivery does, what a removed destination leaves behind, and when the object must wake next. The
 * decisions about retries come from retry.ts.
 */

import { boundedError } from "../message/budget.ts";
import type { Delivery, EventRecord } from "../message/records.ts";
import { pendingDelivery } from "../message/records.ts";
import { type AttemptOutcome, classifyAttempt, nextAttemptAt, type RetryPolicy } from "./retry.ts";

/** The error a delivery dies with when its destination is no longer configured. */
export const DESTINATION_REMOVED = "destination removed";

/**
 * The first event pending for `destination`, in sequence order: a message's events go to each destination
 * strictly in order, and a dead one lets the later ones pass.
 */
export function pendingHead(records: readonly EventRecord[], destination: string): EventRecord | undefined {
  // Records are kept in sequence order.
  return records.find((record) => record.deliveries[destination]?.state === "pending");
}

/** Every destination that has an event pending, with when its head is due (0: now). */
export function dueByDestination(records: readonly EventRecord[]): Map<string, number> {
  const due = new Map<string, number>();
  for (const record of records) {
    for (const [destination, delivery] of Object.entries(record.deliveries)) {
      if (delivery.state !== "pending" || due.has(destination)) continue;
      // An event held for its media copies is due when its next copy round is.
      const held = record.media && !record.media.settled;
      due.set(destination, held ? (record.media?.retryAt ?? 0) : (delivery.nextAttemptAt ?? 0));
    }
  }
  return due;
}

/**
 * When the first pending head of any destination is due, or undefined when nothing is pending; `skip`'s
 * destinations (paused) left out, and a destination's head no earlier than its `notBefore` (a rate limit's slot).
 */
export function pendingDueAt(
  records: readonly EventRecord[],
  skip: ReadonlySet<string> = new Set(),
  notBefore: ReadonlyMap<string, number> = new Map(),
): number | undefined {
  const times = [...dueByDestination(records)]
    .filter(([name]) => !skip.has(name))
    .map(([name, at]) => Math.max(at, notBefore.get(name) ?? 0));
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Whether any delivery of any event is pending (paused destinations included). */
export function hasPending(records: readonly EventRecord[]): boolean {
  return records.some((record) => Object.values(record.deliveries).some((d) => d.state === "pending"));
}

/** A short, value-free description of a failed attempt, for the operator, bounded to fit its record. */
export function describeOutcome(outcome: AttemptOutcome): string {
  if (outcome.kind === "timeout") return "timeout";
  if (outcome.kind === "network") return boundedError(`network error: ${outcome.error}`);
  return `HTTP ${outcome.status}`;
}

/** Records an attempt's outcome on its delivery (in place) and returns what became of it. */
export function recordAttempt(
  delivery: Delivery,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  now: number,
): "delivered" | "retry" | "dead" {
  delivery.attempts += 1;
  const verdict = classifyAttempt(outcome);
  if (verdict === "delivered") {
    Object.assign(delivery, { state: "delivered", forwardedAt: now, lastError: null, nextAttemptAt: null });
    return verdict;
  }
  delivery.lastError = describeOutcome(outcome);
  const next =
    verdict === "retry"
      ? nextAttemptAt({
          attempt: delivery.attempts,
          now,
          acceptedAt: delivery.retrySince,
          retryAfter: outcome.kind === "response" ? outcome.retryAfter : undefined,
          policy,
          random: Math.random(),
        })
      : "dead";
  if (next === "dead") {
    Object.assign(delivery, { state: "dead", nextAttemptAt: null, deadIndex: "add" });
    return "dead";
  }
  delivery.nextAttemptAt = next;
  return verdict;
}

/** Which deliveries a redelivery puts back in their outboxes. */
export interface Requeue {
  /** `dead`: the dead deliveries; `all`: every delivery that is not pending. */
  scope: "dead" | "all";
  /**
   * Only this destination's deliveries; the dead deliveries of destinations no longer configured (not in
   * `configured`) are moved to it, so that a removed destination's events can be sent somewhere.
   */
  destination?: string;
  configured?: ReadonlySet<string>;
  now: number;
}

/** Puts deliveries back in their outboxes (in place), keeping each event's id and sequence; returns how many. */
export function requeue(
  records: readonly EventRecord[],
  { scope, destination, configured, now }: Requeue,
): number {
  let count = 0;
  for (const record of records) {
    if (destination !== undefined && configured) adoptRemoved(record, destination, configured, now);
    for (const [name, delivery] of Object.entries(record.deliveries)) {
      if (destination !== undefined && name !== destination) continue;
      if (scope === "dead" ? delivery.state !== "dead" : delivery.state === "pending") continue;
      if (delivery.state === "dead") delivery.deadIndex = "remove";
      Object.assign(delivery, {
        state: "pending",
        attempts: 0,
        nextAttemptAt: now,
        retrySince: now,
        lastError: null,
      });
      count++;
    }
  }
  return count;
}

/**
 * Sends every event of the message to `destination` again (in place), keeping ids and sequences: each event's
 * delivery to it is put back in the outbox, or added when the event was not routed there. A delivery already
 * pending is left as it is. Returns how many were scheduled.
 */
export function replayTo(records: readonly EventRecord[], destination: string, now: number): number {
  let count = 0;
  for (const record of records) {
    const delivery = record.deliveries[destination];
    if (delivery?.state === "pending") continue;
    const deadIndex = delivery?.state === "dead" ? "remove" : null;
    record.deliveries[destination] = { ...pendingDelivery(now), deadIndex };
    count++;
  }
  return count;
}

/** Moves the dead deliveries of removed destinations to `destination` (the first one, if it has none yet). */
function adoptRemoved(
  record: EventRecord,
  destination: string,
  configured: ReadonlySet<string>,
  now: number,
): void {
  for (const [name, delivery] of Object.entries(record.deliveries)) {
    if (configured.has(name) || delivery.state !== "dead" || name === destination) continue;
    // The removed destination's dead-letter entry goes; the event is sent to `destination` instead (unless
    // it was routed there too), and listed again under that name if it dies there.
    record.deliveries[destination] ??= {
      ...pendingDelivery(now),
      state: "dead",
      lastError: delivery.lastError,
    };
    Object.assign(delivery, { state: "moved", deadIndex: "remove", lastError: `moved to ${destination}` });
  }
}

/** The error a delivery dies with when it waited past its destination's max age (e.g. while paused). */
export const TOO_OLD = "too old: waited past the destination's max age";

/** Whether a pending delivery waited past its destination's max age. */
export function isStale(delivery: Delivery, policy: RetryPolicy, now: number): boolean {
  return delivery.state === "pending" && now >= delivery.retrySince + policy.maxAgeMs;
}

/**
 * Kills a pending delivery that waited past its destination's max age without an attempt (in place): a paused
 * destination's events age. Returns whether it did.
 */
export function expireStale(delivery: Delivery, policy: RetryPolicy, now: number): boolean {
  if (!isStale(delivery, policy, now)) return false;
  Object.assign(delivery, { state: "dead", nextAttemptAt: null, lastError: TOO_OLD, deadIndex: "add" });
  return true;
}

/**
 * The pending deliveries to `destination` that age now, in sequence order: up to the first event held for its
 * media copies (the hold does not age it, nor the events queued behind it, see {@link endMediaHold}).
 */
function agingDeliveries(records: readonly EventRecord[], destination: string): Delivery[] {
  const aging: Delivery[] = [];
  for (const record of records) {
    const delivery = record.deliveries[destination];
    if (delivery?.state !== "pending") continue;
    if (record.media && !record.media.settled) break;
    aging.push(delivery);
  }
  return aging;
}

/**
 * Kills every pending delivery to `destination` that waited past its max age (in place): the age check of a
 * destination's outbox, run before each attempt and on every run of a paused destination, so that its events
 * die on schedule. Returns how many died.
 */
export function expireStaleOf(
  records: readonly EventRecord[],
  destination: string,
  policy: RetryPolicy,
  now: number,
): number {
  return agingDeliveries(records, destination).filter((delivery) => expireStale(delivery, policy, now))
    .length;
}

/** Whether a pending delivery to `destination` waited past its max age (see {@link expireStaleOf}). */
export function hasStale(
  records: readonly EventRecord[],
  destination: string,
  policy: RetryPolicy,
  now: number,
): boolean {
  return agingDeliveries(records, destination).some((delivery) => isStale(delivery, policy, now));
}

/** When the first pending delivery to `destination` will have waited past its max age, or undefined. */
export function staleAt(
  records: readonly EventRecord[],
  destination: string,
  policy: RetryPolicy,
): number | undefined {
  const times = agingDeliveries(records, destination).map(
    (delivery) => delivery.retrySince + policy.maxAgeMs,
  );
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * Ends the media hold of the event `seq` (in place): its copies settled, it may be forwarded now. The hold
 * does not age the event: its pending deliveries never tried, and those of the events queued behind it, count
 * their max age from now, so that a long hold never turns into a death with zero attempts.
 */
export function endMediaHold(records: readonly EventRecord[], seq: number, now: number): void {
  for (const record of records) {
    if (record.seq < seq) continue;
    if (record.seq === seq && record.media) record.media.settled = true;
    for (const delivery of Object.values(record.deliveries)) {
      if (delivery.state === "pending" && delivery.attempts === 0)
        delivery.retrySince = Math.max(delivery.retrySince, now);
    }
  }
}

/** Whether a destination no longer configured still has a pending delivery. */
export function hasRemoved(records: readonly EventRecord[], configured: ReadonlySet<string>): boolean {
  return records.some((record) =>
    Object.entries(record.deliveries).some(([name, d]) => d.state === "pending" && !configured.has(name)),
  );
}

/** Kills the pending deliveries of destinations no longer configured (in place); returns how many. */
export function retireRemoved(records: readonly EventRecord[], configured: ReadonlySet<string>): number {
  let count = 0;
  for (const record of records) {
    for (const [name, delivery] of Object.entries(record.deliveries)) {
      if (configured.has(name) || delivery.state !== "pending") continue;
      Object.assign(delivery, {
        state: "dead",
        nextAttemptAt: null,
        lastError: DESTINATION_REMOVED,
        deadIndex: "add",
      });
      count++;
    }
  }
  return count;
}
