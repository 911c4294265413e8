/**
 * The outbox inside a MessageTracker: which event is next, what an attempt's outcome does to its row, and when
 * the object must wake next. SQL only; the decisions come from retry.ts.
 */
import type { EventRow } from "../message/tracker-sql.ts";
import { type AttemptOutcome, classifyAttempt, nextAttemptAt, type RetryPolicy } from "./retry.ts";

/** The first pending event in sequence order: events of one message are forwarded strictly in order. */
export function pendingHead(sql: SqlStorage): EventRow | undefined {
  return sql
    .exec<EventRow>("SELECT * FROM events WHERE forward_state = 'pending' ORDER BY seq LIMIT 1")
    .toArray()[0];
}

/** When the first pending event is due (0: now), or undefined when nothing is pending; reads no payload. */
export function pendingDueAt(sql: SqlStorage): number | undefined {
  const row = sql
    .exec<{ next_attempt_at: number | null }>(
      "SELECT next_attempt_at FROM events WHERE forward_state = 'pending' ORDER BY seq LIMIT 1",
    )
    .toArray()[0];
  return row ? (row.next_attempt_at ?? 0) : undefined;
}

/** The forwarding state and attempt count of the row with sequence `seq`, as they are now. */
export function attemptState(
  sql: SqlStorage,
  seq: number,
): Pick<EventRow, "forward_state" | "attempts"> | undefined {
  return sql
    .exec<Pick<EventRow, "forward_state" | "attempts">>(
      "SELECT forward_state, attempts FROM events WHERE seq = ?",
      seq,
    )
    .toArray()[0];
}

/** A short, value-free description of a failed attempt, for the operator. */
export function describeOutcome(outcome: AttemptOutcome): string {
  if (outcome.kind === "timeout") return "timeout";
  if (outcome.kind === "network") return `network error: ${outcome.error}`;
  return `HTTP ${outcome.status}`;
}

/** Records an attempt's outcome on its row and returns what became of the event. */
export function recordAttempt(
  sql: SqlStorage,
  row: EventRow,
  outcome: AttemptOutcome,
  policy: RetryPolicy,
  now: number,
): "delivered" | "retry" | "dead" {
  const attempts = row.attempts + 1;
  let verdict = classifyAttempt(outcome);
  if (verdict === "delivered") {
    sql.exec(
      `UPDATE events SET forward_state = 'delivered', attempts = ?, forwarded_at = ?, last_error = NULL,
       next_attempt_at = NULL WHERE seq = ?`,
      attempts,
      now,
      row.seq,
    );
    return verdict;
  }
  const error = describeOutcome(outcome);
  const next =
    verdict === "retry"
      ? nextAttemptAt({
          attempt: attempts,
          now,
          acceptedAt: row.retry_since,
          retryAfter: outcome.kind === "response" ? outcome.retryAfter : undefined,
          policy,
          random: Math.random(),
        })
      : "dead";
  if (next === "dead") {
    verdict = "dead";
    sql.exec(
      `UPDATE events SET forward_state = 'dead', attempts = ?, last_error = ?, next_attempt_at = NULL,
       dead_index = 'add' WHERE seq = ?`,
      attempts,
      error,
      row.seq,
    );
  } else {
    sql.exec(
      "UPDATE events SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE seq = ?",
      attempts,
      error,
      next,
      row.seq,
    );
  }
  return verdict;
}

/** Puts events back in the outbox, keeping their id and sequence; returns how many. */
export function requeue(sql: SqlStorage, scope: "dead" | "all", now: number): number {
  const where = scope === "dead" ? "forward_state = 'dead'" : "forward_state != 'pending'";
  const count = sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM events WHERE ${where}`).one().n;
  sql.exec(
    `UPDATE events SET dead_index = CASE WHEN forward_state = 'dead' THEN 'remove' ELSE dead_index END,
     forward_state = 'pending', attempts = 0, next_attempt_at = ?, retry_since = ?, last_error = NULL
     WHERE ${where}`,
    now,
    now,
  );
  return count;
}

/** Whether any event still needs its DeadLetters index entry added or removed (a cheap existence check). */
export function hasDeadIndexWork(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM events WHERE dead_index IS NOT NULL LIMIT 1").toArray().length > 0;
}

/** Events whose DeadLetters index entry must be added or removed. */
export function deadIndexWork(sql: SqlStorage): EventRow[] {
  return sql.exec<EventRow>("SELECT * FROM events WHERE dead_index IS NOT NULL").toArray();
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
