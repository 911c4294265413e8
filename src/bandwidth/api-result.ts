/**
 * What a call to Bandwidth's API gives back: a value, or a failure as data that the caller can schedule on
 * (a rate limit carries its wait; nothing here ever sleeps). Never carries a token, a secret or a number.
 */

/** Wait assumed when a 429 carries no readable Retry-After. */
const DEFAULT_RETRY_MS = 60_000;
/** Bounds of the wait a 429 asks for: at least a second, at most an hour (a caller re-asks after that). */
const MIN_RETRY_MS = 1_000;
const MAX_RETRY_MS = 3_600_000;

/** Why a call to Bandwidth's API did not give a value. */
export type ApiFailure =
  /** 429: ask again after `retryAfterMs` (from Retry-After, clamped). */
  | { kind: "rate-limited"; status: 429; retryAfterMs: number }
  /** The credentials or a fresh token were refused (401 twice, 403, or the token endpoint said no). */
  | { kind: "unauthorized"; status: number; reason: string }
  /** 404: the resource is gone (media past Bandwidth's 48 h, an unknown account). */
  | { kind: "not-found"; status: 404 }
  /** Worth retrying later: 5xx, 408, a timeout, a network error, an unreadable answer. */
  | { kind: "unavailable"; status?: number; reason: string }
  /** A permanent refusal (another 4xx): retrying the same request will not help. */
  | { kind: "rejected"; status: number; reason: string }
  /** The URL (or a redirect) points at a host the token must never be sent to: nothing was fetched. */
  | { kind: "not-allowed"; reason: string };

/** A value, or why there is none. */
export type ApiResult<T> = { ok: true; value: T } | ({ ok: false } & ApiFailure);

/** Whether a failure is worth trying again later (the same request may succeed). */
export function isRetryable(failure: ApiFailure): boolean {
  return failure.kind === "rate-limited" || failure.kind === "unavailable";
}

/** How long a 429 asks to wait, from its Retry-After (seconds or an HTTP date), within [1 s, 1 h]. */
export function rateLimitWaitMs(retryAfter: string | null, now: number): number {
  const text = retryAfter?.trim() ?? "";
  const date = /^\d+$/.test(text) ? Number.NaN : Date.parse(text);
  const asked = /^\d+$/.test(text) ? Number(text) * 1000 : Number.isNaN(date) ? 0 : date - now;
  const wait = asked > 0 ? asked : DEFAULT_RETRY_MS;
  return Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, wait));
}

/** The failure an HTTP status other than 2xx means (429 needs its Retry-After: see the client). */
export function failureOfStatus(status: number, retryAfterMs: number): ApiFailure {
  if (status === 429) return { kind: "rate-limited", status, retryAfterMs };
  if (status === 404) return { kind: "not-found", status };
  if (status === 401 || status === 403) return { kind: "unauthorized", status, reason: `HTTP ${status}` };
  if (status >= 500 || status === 408) return { kind: "unavailable", status, reason: `HTTP ${status}` };
  return { kind: "rejected", status, reason: `HTTP ${status}` };
}

/** The failure a thrown fetch error means: a timeout or a network error, both worth retrying. */
export function failureOfError(error: unknown): { kind: "unavailable"; reason: string } {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return { kind: "unavailable", reason: "timeout" };
  }
  const name = error instanceof Error ? error.name : "unknown error";
  return { kind: "unavailable", reason: `network error (${name})` };
}
