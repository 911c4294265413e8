/**
 * When a message's media copies are done with: the event waits while some file might still be copied (5xx,
 * 429, timeouts), retried with a capped backoff that honours Retry-After, for at most MEDIA_COPY_MAX_AGE_MS
 * (24 h, well inside the 48 h Bandwidth keeps media). Then what still failed is listed with its error and the
 * event is forwarded anyway. Pure.
 */
import type { MediaCopy } from "./copy.ts";

/** How long copies are retried before the event is forwarded without them. */
export const MEDIA_COPY_MAX_AGE_MS = 24 * 3_600_000;
/** Backoff between copy rounds: 1 min doubling to 1 h. */
const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 3_600_000;

/** What to do after a copy round. */
export type MediaCopyPlan =
  /** Forward the event now with these copies (no `retry` left: given-up ones are `failed`). */
  | { kind: "forward"; copies: MediaCopy[] }
  /** Hold the event and call copyMedia again (with these copies as `previous`) at `at`. */
  | { kind: "retry"; at: number };

/**
 * The plan after round number `rounds` (1 for the first) of copies that began at `firstAttemptAt`.
 * `maxAgeMs` defaults to {@link MEDIA_COPY_MAX_AGE_MS}.
 */
export function planMediaCopies(
  copies: readonly MediaCopy[],
  timing: { firstAttemptAt: number; rounds: number; now: number; maxAgeMs?: number },
): MediaCopyPlan {
  const { firstAttemptAt, rounds, now, maxAgeMs = MEDIA_COPY_MAX_AGE_MS } = timing;
  const pending = copies.filter((copy) => copy.state === "retry");
  if (pending.length === 0) return { kind: "forward", copies: [...copies] };
  const deadline = firstAttemptAt + maxAgeMs;
  if (now >= deadline) {
    const hours = Math.round(maxAgeMs / 3_600_000);
    return {
      kind: "forward",
      copies: copies.map((copy) =>
        copy.state === "retry"
          ? { state: "failed", url: copy.url, n: copy.n, error: `${copy.error}; gave up after ${hours} h` }
          : copy,
      ),
    };
  }
  const backoff = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, rounds - 1));
  const asked = Math.max(0, ...pending.map((copy) => copy.retryAfterMs ?? 0));
  // The last round runs at the deadline, so that a file that recovers late is still copied.
  return { kind: "retry", at: Math.min(deadline, now + Math.max(backoff, asked)) };
}
