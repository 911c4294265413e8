/**
 * Sends one callback body to the receiver as Bandwidth does (JSON, `BandwidthAPI/v2`, Basic credentials),
 * with a timeout so that it never hangs, and reads the answer into an outcome.
 */

/** Where and as whom to send callbacks. */
export interface CallbackTarget {
  url: string;
  /** Basic credentials; with both empty no `Authorization` header is sent. */
  username: string;
  password: string;
  /** Per request (default 15 s). */
  timeoutMs?: number;
}

/** What one callback came to: accepted (2xx), answered with another status, or unreachable. */
export type CallbackOutcome =
  | { kind: "accepted"; status: number; accepted: number; duplicates: number; elapsedMs: number }
  | { kind: "refused"; status: number; reason: string; elapsedMs: number }
  | { kind: "unreachable"; reason: string; elapsedMs: number };

const DEFAULT_TIMEOUT_MS = 15_000;

function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

function count(body: unknown, key: "accepted" | "duplicates"): number {
  if (typeof body !== "object" || body === null || !(key in body)) return 0;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === "number" ? value : 0;
}

/** The receiver's `error` field (it never echoes numbers or text), else the start of the body. */
function refusalReason(text: string, body: unknown): string {
  if (typeof body === "object" && body !== null && "error" in body && typeof body.error === "string") {
    return body.error;
  }
  return text.slice(0, 120).replace(/\s+/g, " ") || "(empty body)";
}

function errorReason(error: unknown): string {
  if (error instanceof Error && error.name === "TimeoutError") return "timed out";
  // fetch reports "fetch failed"; the cause says why (ECONNREFUSED, a DNS error, a port fetch refuses …).
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return "code" in cause && cause.code ? String(cause.code) : cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** POSTs `body` (serialized as JSON unless it is a string) and returns its outcome; never throws. */
export async function sendCallback(target: CallbackTarget, body: unknown): Promise<CallbackOutcome> {
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "user-agent": "BandwidthAPI/v2",
  };
  if (target.username || target.password) {
    headers.authorization = basicAuthorization(target.username, target.password);
  }
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(target.url, {
      method: "POST",
      headers,
      body: typeof body === "string" ? body : JSON.stringify(body),
      redirect: "manual",
      signal: AbortSignal.timeout(target.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.status >= 200 && response.status < 300) {
      const accepted = count(parsed, "accepted");
      return {
        kind: "accepted",
        status: response.status,
        accepted,
        duplicates: count(parsed, "duplicates"),
        elapsedMs: elapsed(),
      };
    }
    return {
      kind: "refused",
      status: response.status,
      reason: refusalReason(text, parsed),
      elapsedMs: elapsed(),
    };
  } catch (error) {
    return { kind: "unreachable", reason: errorReason(error), elapsedMs: elapsed() };
  }
}
