/**
 * Bounded waiting: every loop in the end-to-end harness ends, by count and by time.
 */

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `T` without its falsy members: what {@link waitFor} returns. */
export type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** How often to evaluate the predicate, in ms (default 100). */
  intervalMs?: number;
  /** Describes what was awaited, for the timeout error; called once, when the wait fails. */
  describe?: () => string;
}

/**
 * Polls `predicate` until it returns a truthy value and returns that value. Throws once `timeoutMs` has
 * passed (the predicate is evaluated one last time at the deadline). Errors thrown by the predicate count as
 * "not yet" and the last one is reported on timeout.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs: number,
  options: WaitOptions = {},
): Promise<Truthy<T>> {
  const interval = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  const maxRounds = Math.ceil(timeoutMs / interval) + 2;
  let lastError: unknown;
  for (let round = 0; round < maxRounds; round++) {
    try {
      const value = await predicate();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(interval, left));
  }
  const what = options.describe ? `: ${options.describe()}` : "";
  const cause = lastError === undefined ? "" : ` (last error: ${String(lastError)})`;
  throw new Error(`waitFor timed out after ${timeoutMs} ms${what}${cause}`);
}
