/**
 * When a MessageTracker's one alarm must come next. Forwarding starts inline, as soon as a callback is stored;
 * the alarm is the safety net for that forward and the time to write what a burst of callbacks left in memory
 * (duplicate counts, and noted deliveries when their run failed before its own write) and the message's index
 * rows, once, a settle delay after its last activity; then it waits for retention.
 */

/** What the next wake depends on; times are epoch milliseconds. */
export interface WakeInput {
  now: number;
  /** When the first pending head (or other due work: a paused destination's recheck, reconciliation) is due. */
  headDueAt: number | undefined;
  /** Whether a forward runs (or starts) inline now, taking every head already due. */
  inline: boolean;
  /** SETTLE_DELAY_MS. */
  settleMs: number;
  /** Since when the message in memory holds changes not written yet. */
  unsavedSince: number | undefined;
  /** The dead-letter or quarantine list has work to send (failure paths: sent at once). */
  listWork: boolean;
  /** The last activity the message index does not reflect yet, or undefined when it is current. */
  indexBehindSince: number | undefined;
  /** A failed list or index update is retried no earlier than this. */
  listRetryAt: number;
  /** The message's last recorded activity, for retention (undefined before its first). */
  updatedAt: number | undefined;
  retentionMs: number;
}

/** The time the alarm must be set to (at most; an earlier alarm does as well), or undefined for none. */
export function nextWake(input: WakeInput): number | undefined {
  const { now, headDueAt, settleMs } = input;
  const times: number[] = [];
  if (headDueAt !== undefined) {
    // A head due now is being forwarded inline: the alarm only has to come if that forward never ends.
    times.push(input.inline && headDueAt <= now ? now + settleMs : headDueAt);
  }
  if (input.unsavedSince !== undefined) times.push(input.unsavedSince + settleMs);
  if (input.listWork) times.push(Math.max(now, input.listRetryAt));
  if (input.indexBehindSince !== undefined) {
    times.push(Math.max(input.indexBehindSince + settleMs, input.listRetryAt));
  }
  // Retention only starts once nothing is pending or waiting to be written.
  if (times.length === 0 && input.updatedAt !== undefined) times.push(input.updatedAt + input.retentionMs);
  return times.length > 0 ? Math.min(...times) : undefined;
}
