/**
 * How long a MessageTracker waits before its next alarm after a run that failed: a short, capped exponential
 * backoff, so that a passing storage or network fault is retried within seconds and a lasting one does not
 * spin.
 */

/** First delay after a failed alarm run. */
export const ALARM_RETRY_BASE_MS = 500;
/** Longest delay between failed alarm runs. */
export const ALARM_RETRY_MAX_MS = 60_000;

/** The delay before the next alarm after `failures` consecutive failed runs (1 or more). */
export function alarmRetryDelay(failures: number): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 20);
  return Math.min(ALARM_RETRY_BASE_MS * 2 ** exponent, ALARM_RETRY_MAX_MS);
}
