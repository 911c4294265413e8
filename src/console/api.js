// @ts-check
/**
 * Calls to the operator API: same origin, the token only in `Authorization: Bearer …`, never cached, never
 * redirected. Every failure becomes an ApiError whose message can be shown as it is.
 */
import { clearToken, readToken } from "./session.js";

/** A failed call: `status` is the HTTP status, or 0 when the receiver could not be reached. */
export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** The `error` of a JSON error body, or the status text. @param {Response} response */
async function reason(response) {
  const body = await response.json().catch(() => undefined);
  if (body && typeof body === "object" && typeof body.error === "string") return body.error;
  return response.statusText || "no reason given";
}

/**
 * Sends one request and returns its JSON body. A 401 also forgets the token, so the console asks for it again.
 * @param {"GET" | "POST"} method
 * @param {string} path an absolute path of the operator API, query included
 * @param {unknown} [body] sent as JSON
 * @returns {Promise<unknown>}
 */
export async function call(method, path, body) {
  const token = readToken();
  if (!token) throw new ApiError(401, "Not signed in.");
  /** @type {Record<string, string>} */
  const headers = { authorization: `Bearer ${token}`, accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
    });
  } catch {
    throw new ApiError(0, `Could not reach the receiver (${method} ${path.split("?")[0]}).`);
  }
  if (response.status === 401) {
    clearToken();
    throw new ApiError(401, "The receiver refused the admin token (401). Sign in again.");
  }
  if (!response.ok) {
    const where = `${method} ${path.split("?")[0]}`;
    throw new ApiError(response.status, `${where} answered ${response.status}: ${await reason(response)}`);
  }
  return response.status === 204 ? undefined : response.json();
}

/** GET `path` (bearer). @param {string} path */
export function apiGet(path) {
  return call("GET", path);
}

/** POST `body` as JSON to `path` (bearer). @param {string} path @param {unknown} [body] */
export function apiPost(path, body = {}) {
  return call("POST", path, body);
}

/**
 * POSTs a bulk operation (release, redelivery) and follows its `nextCursor` until an answer has none, so that
 * one click goes through every message once, a batch a request; returns the answers, read by `read`, in
 * order.
 * @template {{nextCursor?: string}} T
 * @param {string} path
 * @param {Record<string, unknown>} body
 * @param {(answer: unknown) => T} read
 * @returns {Promise<T[]>}
 */
export async function apiPostBatches(path, body, read) {
  /** @type {T[]} */
  const answers = [];
  /** @type {string | undefined} */
  let cursor;
  do {
    const answer = read(await apiPost(path, cursor === undefined ? body : { ...body, cursor }));
    answers.push(answer);
    cursor = answer.nextCursor;
  } while (cursor !== undefined);
  return answers;
}

/** GET /healthz, which needs no token: version and configuration problems. */
export async function getHealth() {
  const response = await fetch("/healthz", { cache: "no-store", credentials: "omit" });
  return response.json();
}
