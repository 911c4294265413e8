/**
 * Requests against the Worker under test, with the test credentials.
 */
import { exports } from "cloudflare:workers";
import { TEST_ADMIN_TOKEN, TEST_PASSWORD, TEST_USERNAME } from "./bindings.ts";

const BASE = "https://receiver.test";

/** The Basic header Bandwidth would send with the test credentials. */
export function basicAuth(username = TEST_USERNAME, password = TEST_PASSWORD): string {
  return `Basic ${btoa(`${username}:${password}`)}`;
}

/** POSTs a callback body (serialized unless already a string) with credentials and JSON content type. */
export function postCallback(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}/callbacks/messaging`, {
    method: "POST",
    headers: {
      authorization: basicAuth(),
      "content-type": "application/json; charset=utf-8",
      "user-agent": "BandwidthAPI/v2",
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A request to the operator API with the admin token. */
export function admin(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(init.headers ?? {}) },
  });
}

/** What the recording downstream received for one message, in arrival order. */
export async function forwardsOf(
  messageId: string,
): Promise<Array<{ url: string; headers: Record<string, string>; body: string; receivedAt: number }>> {
  const response = await fetch(`http://recorder.test/forwards?subject=${encodeURIComponent(messageId)}`);
  return response.json();
}

/** Scripts the recording downstream's next answers for one message (then 200), at one host or any. */
export async function scriptDownstream(messageId: string, statuses: number[], host?: string): Promise<void> {
  const at = host === undefined ? "" : `&host=${encodeURIComponent(host)}`;
  await fetch(`http://recorder.test/script?subject=${encodeURIComponent(messageId)}${at}`, {
    method: "POST",
    body: JSON.stringify(statuses),
  });
}

/** Makes every request to `host` answer only after `ms`, until `until` (epoch ms). */
export async function slowDown(host: string, ms: number, until: number): Promise<void> {
  await fetch(`http://recorder.test/slow?host=${encodeURIComponent(host)}&ms=${ms}&until=${until}`, {
    method: "POST",
  });
}

/** Makes every request to `host` answer 503 until `until` (epoch ms). */
export async function takeDown(host: string, until: number): Promise<void> {
  await fetch(`http://recorder.test/down?host=${encodeURIComponent(host)}&until=${until}`, {
    method: "POST",
  });
}

/**
 * Calls a bulk operation (`post`, given the previous answer's `nextCursor`) until an answer has none, at most
 * `most` times; each answer must have `status`. Returns the answers in order.
 */
export async function followNextCursor<T extends { nextCursor?: string }>(
  post: (cursor: string | undefined) => Promise<Response>,
  status: number,
  most: number,
): Promise<T[]> {
  const answers: T[] = [];
  let cursor: string | undefined;
  do {
    const response = await post(cursor);
    if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}`);
    const answer = (await response.json()) as T;
    answers.push(answer);
    cursor = answer.nextCursor;
  } while (cursor && answers.length < most);
  return answers;
}
