/**
 * The operator events' outbox, as pure decisions: per destination the oldest pending event is the only one
 * attempted (a `.recovered` never overtakes its `.failing`), retried on the forwarding schedule (retry.ts)
 * until the destination's max age; delivered and dead entries are kept a day, then expire. `dueAt` is the
 * one time that matters for every entry: the next attempt of a pending one, the expiry of a finished one.
 */
import { describeOutcome } from "./outbox.ts";
import { type AttemptOutcome, classifyAttempt, nextAttemptAt, type RetryPolicy } from "./retry.ts";

/** How long a delivered or dead operator event is kept (a retried report then cannot send it again). */
export const OPERATOR_DELIVERY_KEEP_MS = 24 * 3_600_000;
/** How soon an event for a paused destination is looked at again. */
export const PAUSED_RECHECK_MS = 30_000;

/** One operator event for one destination. */
export interface OperatorDelivery {
  eventId: string;
  destination: string;
  /** Creation order among this object's deliveries. */
  seq: number;
  /** The serialized CloudEvent. */
  body: string;
  state: "pending" | "delivered" | "dead";
  attempts: number;
  createdAt: number;
  /** Pending: the next attempt. Delivered or dead: when the entry expires. */
  dueAt: number;
  lastError?: string;
}

/** The entries to attempt now: per destination the oldest pending one, if it is due. */
export function dueHeads(deliveries: readonly OperatorDelivery[], now: number): OperatorDelivery[] {
  const heads = new Map<string, OperatorDelivery>();
  for (const delivery of deliveries) {
    if (delivery.state !== "pending") continue;
    const head = heads.get(delivery.destination);
    if (!head || delivery.seq < head.seq) heads.set(delivery.destination, delivery);
  }
  return [...heads.values()].filter((head) => head.dueAt <= now).sort((a, b) => a.seq - b.seq);
}

/** The entries whose time to be kept is over. */
export function expiredDeliveries(deliveries: readonly OperatorDelivery[], now: number): OperatorDelivery[] {
  return deliveries.filter((delivery) => delivery.state !== "pending" && delivery.dueAt <= now);
}

/** The entry after one attempt (`random` in [0, 1) for the jitter). */
export function recordOperatorAttempt(
  delivery: OperatorDelivery,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  now: number,
  random: number,
): OperatorDelivery {
  const attempts = delivery.attempts + 1;
  const verdict = classifyAttempt(outcome);
  if (verdict === "delivered") {
    const { lastError: _, ...rest } = delivery;
    return { ...rest, state: "delivered", attempts, dueAt: now + OPERATOR_DELIVERY_KEEP_MS };
  }
  const lastError = describeOutcome(outcome);
  const next =
    verdict === "dead"
      ? "dead"
      : nextAttemptAt({
          attempt: attempts,
          now,
          acceptedAt: delivery.createdAt,
          retryAfter: outcome.kind === "response" ? outcome.retryAfter : undefined,
          policy,
          random,
        });
  if (next === "dead") return finished(delivery, "dead", lastError, now, attempts);
  return { ...delivery, attempts, lastError, dueAt: next };
}

/** The entry when its destination is paused: looked at again later, or dead once older than the max age. */
export function postponePaused(
  delivery: OperatorDelivery,
  policy: RetryPolicy,
  now: number,
): OperatorDelivery {
  if (now >= delivery.createdAt + policy.maxAgeMs) {
    return finished(delivery, "dead", "destination paused past its max age", now, delivery.attempts);
  }
  return { ...delivery, dueAt: Math.min(now + PAUSED_RECHECK_MS, delivery.createdAt + policy.maxAgeMs) };
}

/** The entry when its destination is no longer configured. */
export function removedDestination(delivery: OperatorDelivery, now: number): OperatorDelivery {
  return finished(delivery, "dead", "destination removed", now, delivery.attempts);
}

function finished(
  delivery: OperatorDelivery,
  state: "dead",
  lastError: string,
  now: number,
  attempts: number,
): OperatorDelivery {
  return { ...delivery, state, attempts, lastError, dueAt: now + OPERATOR_DELIVERY_KEEP_MS };
}
