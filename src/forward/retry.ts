/**
 * The forwarding retry policy, as pure functions: which outcomes are retried, and when the next attempt is.
 */

/** How one forward attempt ended. */
export type AttemptOutcome =
  | { kind: "response"; status: number; retryAfter?: string | null }
  | { kind: "timeout" }
  | { kind: "network"; error: string };

/** What to do with an event after an attempt. */
export type AttemptVerdict = "delivered" | "retry" | "dead";

/** The tunable part of the policy. */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAgeMs: number;
}

/** 2xx delivers; timeouts, network errors, 5xx, 408 and 429 are transient; every other status is permanent. */
export function classifyAttempt(outcome: AttemptOutcome): AttemptVerdict {
  if (outcome.kind !== "response") return "retry";
  const { status } = outcome;
  if (status >= 200 && status < 300) return "delivered";
  if (status >= 500 || status === 408 || status === 429) return "retry";
  return "dead";
}

/**
 * The delay a `Retry-After` header asks for, in ms: delta-seconds or an HTTP date. Absent, unparsable or past
 * values give 0.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number {
  if (!header) return 0;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

/**
 * Capped exponential backoff with equal jitter: attempt n waits between half and all of
 * min(max, base·2^(n−1)). `random` is in [0, 1).
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}

/** When the next attempt runs after a transient failure, or `dead` once the event is older than the max age. */
export function nextAttemptAt(input: {
  attempt: number;
  now: number;
  acceptedAt: number;
  retryAfter?: string | null;
  policy: RetryPolicy;
  random: number;
}): number | "dead" {
  const { attempt, now, acceptedAt, policy } = input;
  const deadline = acceptedAt + policy.maxAgeMs;
  if (now >= deadline) return "dead";
  const wait = Math.max(backoffMs(attempt, policy, input.random), retryAfterMs(input.retryAfter, now));
  // The last attempt runs at the deadline rather than never.
  return Math.min(now + wait, deadline);
}
