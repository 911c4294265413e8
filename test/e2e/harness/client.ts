/**
 * HTTP clients for the receiver: Bandwidth's callbacks (Basic credentials) and the operator API (bearer).
 */
import { ADMIN_TOKEN, CALLBACK_CREDENTIALS, type Receiver } from "../../../harness/receiver.ts";

/** A response, its parsed JSON body (undefined when not JSON) and how long the request took. */
export interface ClientResponse {
  status: number;
  headers: Headers;
  body: unknown;
  elapsedMs: number;
}

const REQUEST_TIMEOUT_MS = 15_000;

async function send(url: string, init: RequestInit): Promise<ClientResponse> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, elapsedMs };
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/**
 * POSTs `events` as Bandwidth does (a JSON array, `application/json; charset=utf-8`, Basic credentials) to
 * `/callbacks/messaging`. A raw string body is sent as is.
 */
export function postCallback(
  receiver: Receiver,
  events: readonly object[] | string,
  credentials: { username: string; password: string } = CALLBACK_CREDENTIALS,
): Promise<ClientResponse> {
  return send(`${receiver.baseUrl}/callbacks/messaging`, {
    method: "POST",
    headers: {
      authorization: basic(credentials.username, credentials.password),
      "content-type": "application/json; charset=utf-8",
      "user-agent": "BandwidthAPI/v2",
    },
    body: typeof events === "string" ? events : JSON.stringify(events),
  });
}

/** Calls the operator API with `Authorization: Bearer <ADMIN_TOKEN>`; `body`, when given, is sent as JSON. */
export function admin(
  receiver: Receiver,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<ClientResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  return send(`${receiver.baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
