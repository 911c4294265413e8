/**
 * The outbox inside a MessageTracker, as pure functions over the message's event records: which event is
 * next, what an attempt's outcome does to its record, what a redelivery does, and when the object must wake
 * next. The decisions about retries come from retry.ts.
 */
import { boundedError } from "../message/budget.ts";
import type { EventRecord } from "../message/records.ts";
import { type AttemptOutcome, classifyAttempt, nextAttemptAt, type RetryPolicy } from "./retry.ts";

/** The first pending event in sequence order: events of one message are forwarded strictly in order. */
export function pendingHead(records: readonly EventRecord[]): EventRecord | undefined {
  // Records are kept in sequence order.
  return records.find((record) => record.forwardState === "pending");
}

/** When the first pending event is due (0: now), or undefined when nothing is pending. */
export function pendingDueAt(records: readonly EventRecord[]): number | undefined {
  const head = pendingHead(records);
  return head ? (head.nextAttemptAt ?? 0) : undefined;
}

/** A short, value-free description of a failed attempt, for the operator, bounded to fit its record. */
export function describeOutcome(outcome: AttemptOutcome): string {
  if (outcome.kind === "timeout") return "timeout";
  if (outcome.kind === "network") return boundedError(`network error: ${outcome.error}`);
  return `HTTP ${outcome.status}`;
}

/** Records an attempt's outcome on its record (in place) and returns what became of the event. */
export function recordAttempt(
  record: EventRecord,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  now: number,
): "delivered" | "retry" | "dead" {
  record.attempts += 1;
  const verdict = classifyAttempt(outcome);
  if (verdict === "delivered") {
    Object.assign(record, {
      forwardState: "delivered",
      forwardedAt: now,
      lastError: null,
      nextAttemptAt: null,
    });
    return verdict;
  }
  record.lastError = describeOutcome(outcome);
  const next =
    verdict === "retry"
      ? nextAttemptAt({
          attempt: record.attempts,
          now,
          acceptedAt: record.retrySince,
          retryAfter: outcome.kind === "response" ? outcome.retryAfter : undefined,
          policy,
          random: Math.random(),
        })
      : "dead";
  if (next === "dead") {
    Object.assign(record, { forwardState: "dead", nextAttemptAt: null, deadIndex: "add" });
    return "dead";
  }
  record.nextAttemptAt = next;
  return verdict;
}

/** Puts events back in the outbox (in place), keeping their id and sequence; returns how many. */
export function requeue(records: readonly EventRecord[], scope: "dead" | "all", now: number): number {
  let count = 0;
  for (const record of records) {
    if (scope === "dead" ? record.forwardState !== "dead" : record.forwardState === "pending") continue;
    if (record.forwardState === "dead") record.deadIndex = "remove";
    Object.assign(record, {
      forwardState: "pending",
      attempts: 0,
      nextAttemptAt: now,
      retrySince: now,
      lastError: null,
    });
    count++;
  }
  return count;
}

/** Events whose DeadLetters index entry must be added or removed. */
export function deadIndexWork(records: readonly EventRecord[]): EventRecord[] {
  return records.filter((record) => record.deadIndex !== null);
}

/** When the object must wake next: the pending head's attempt, index work, or retention. */
export function nextWake(input: {
  /** When the first pending event is due, or undefined when nothing is pending. */
  headDueAt: number | undefined;
  hasIndexWork: boolean;
  indexRetryAt: number;
  updatedAt: number;
  retentionMs: number;
}): number {
  // Retention only starts once nothing is pending.
  const times = [input.headDueAt ?? input.updatedAt + input.retentionMs];
  if (input.hasIndexWork) times.push(input.indexRetryAt);
  return Math.min(...times);
}
