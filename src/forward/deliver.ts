/**
 * One forward attempt: POST a signed CloudEvent to the downstream, with a timeout and no redirects.
 */
import type { AttemptOutcome } from "./retry.ts";
import { signWebhook } from "./sign.ts";

/** Where and how to deliver. */
export interface DeliveryTarget {
  url: string;
  secrets: readonly string[];
  timeoutMs: number;
  /** Extra request headers from DESTINATION_HEADERS_<NAME> (names lower-case; never one the receiver sets). */
  headers?: Readonly<Record<string, string>>;
}

/** The result of one attempt, with how long it took. */
export interface AttemptReport {
  outcome: AttemptOutcome;
  latencyMs: number;
}

/** What one attempt carries besides the event: its span, and the `fetch` to use (tests inject one). */
export interface AttemptOptions {
  /** The attempt's `traceparent` header: the event's trace id, a new span id. */
  traceparent?: string;
  fetcher?: typeof fetch;
}

/** Sends `body` (a serialized CloudEvent with id `id`) once; never throws. */
export async function deliverOnce(
  target: DeliveryTarget,
  id: string,
  body: string,
  { traceparent, fetcher = fetch }: AttemptOptions = {},
): Promise<AttemptReport> {
  const started = Date.now();
  const timestamp = Math.floor(started / 1000);
  try {
    const response = await fetcher(target.url, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(target.timeoutMs),
      headers: {
        // The configuration refuses extra headers that the receiver sets; these come last all the same.
        ...target.headers,
        "content-type": "application/cloudevents+json",
        "user-agent": "bandwidth-edge-receiver",
        "webhook-id": id,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": await signWebhook(target.secrets, id, timestamp, body),
        ...(traceparent === undefined ? {} : { traceparent }),
      },
      body,
    });
    // The body is not needed; cancelling it frees the connection.
    await response.body?.cancel();
    return {
      outcome: {
        kind: "response",
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
      },
      latencyMs: Date.now() - started,
    };
  } catch (error) {
    const latencyMs = Date.now() - started;
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return { outcome: { kind: "timeout" }, latencyMs };
    }
    return { outcome: { kind: "network", error: errorName(error) }, latencyMs };
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown error";
}
