/**
 * Bounded waiting, for the Node harness and the workerd tests alike (no Node or Workers API): every loop ends,
 * by count and by time, and a failed wait says what it waited for.
 */

/** Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", abort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", abort, { once: true });
  });
}

/** `T` without its falsy members: what {@link waitFor} returns. */
export type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/** Options of {@link waitFor}; a string is short for `{ describe }`. */
export interface WaitOptions {
  /** How often to run the probe, in ms (default 100). */
  intervalMs?: number;
  /** What is awaited, for the timeout error; a function is called once, only when the wait fails. */
  describe?: string | (() => string);
  /** Ends the wait early: it rejects with the signal's reason (e.g. the process it waited for has died). */
  signal?: AbortSignal;
}

/** A {@link waitFor} that ran out of time; `cause` is the probe's last error, if it threw. */
export class WaitTimeoutError extends Error {
  override name = "WaitTimeoutError";
}

/**
 * Runs `probe` until it returns a truthy value, and returns that value. After `timeoutMs` (default 10 s; the
 * probe runs one last time at the deadline) it throws a {@link WaitTimeoutError} naming what it waited for.
 * A probe that throws counts as "not yet": the last error becomes the timeout's cause.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 10_000,
  options: WaitOptions | string = {},
): Promise<Truthy<T>> {
  const {
    intervalMs = 100,
    describe,
    signal,
  } = typeof options === "string" ? { describe: options } : options;
  const deadline = Date.now() + timeoutMs;
  const maxRounds = Math.ceil(timeoutMs / intervalMs) + 2;
  let lastError: unknown;
  for (let round = 0; round < maxRounds; round++) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(intervalMs, left), signal);
  }
  signal?.throwIfAborted();
  const what = typeof describe === "function" ? describe() : (describe ?? "a condition");
  const cause = lastError === undefined ? "" : ` (last error: ${String(lastError)})`;
  throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`, {
    cause: lastError,
  });
}
