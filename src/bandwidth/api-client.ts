/**
 * A small client of Bandwidth's API for what the receiver needs itself: List Messages (reconciliation) and the
 * media files of inbound MMS. It authenticates with OAuth2 client credentials (oauth-token.ts) and sends the
 * bearer token only to the API base and to the allowed media hosts: any other URL, and any redirect leaving
 * them, is refused without a request. Every call is bounded by a timeout and never throws; failures are data
 * (api-result.ts) that the caller schedules on. `fetch` is injected for tests.
 */
import { log } from "../log.ts";
import { type ApiResult, failureOfError, failureOfStatus, rateLimitWaitMs } from "./api-result.ts";
import { type MessagesList, readMessagesList } from "./list-messages.ts";
import { isAccountMediaUrl } from "./media-url.ts";
import { accessToken, type ClientCredentials, ISOLATE_TOKENS, type TokenCache } from "./oauth-token.ts";

/** Where the API is and who may receive its token. */
export interface BandwidthApiSettings extends ClientCredentials {
  /** BANDWIDTH_ACCOUNT_ID: only its media files are fetched (`/api/v2/users/{accountId}/media/…`). */
  accountId: string;
  /** The messaging API base, e.g. https://messaging.bandwidth.com/api/v2 (BANDWIDTH_API_URL). */
  apiUrl: string;
  /** Origins (`https://host[:port]`) besides the API base's that may receive the token: the media hosts. */
  mediaOrigins: ReadonlySet<string>;
}

/** How long each kind of call may take, end to end (a media call includes reading its body). */
export interface ApiTimeouts {
  tokenMs: number;
  apiMs: number;
  mediaMs: number;
}

/** The default timeouts: well inside a Durable Object alarm's budget. */
export const DEFAULT_API_TIMEOUTS: ApiTimeouts = { tokenMs: 10_000, apiMs: 15_000, mediaMs: 60_000 };

/** What the client is built with besides its settings; everything has a default. */
export interface BandwidthApiOptions {
  fetch?: typeof fetch;
  now?: () => number;
  /** Defaults to the isolate's shared cache. */
  tokens?: TokenCache;
  timeouts?: Partial<ApiTimeouts>;
}

/** The calls the receiver makes to Bandwidth. */
export interface BandwidthApi {
  /** The List Messages items of one message id (one per recipient), read with ListMessageItemSchema. */
  listMessages(accountId: string, messageId: string): Promise<ApiResult<MessagesList>>;
  /**
   * GET a media file with the token: the response (2xx), its body unread and still bounded by the media
   * timeout. Refused without a request unless the URL may receive the token and is a media file of the
   * configured account (media-url.ts); a redirect is followed only while it stays on a host that may receive it.
   */
  fetchMedia(url: string): Promise<ApiResult<Response>>;
  /** Whether `url` may receive the bearer token: the API base, or an allowed media host. */
  mayReceiveToken(url: string): boolean;
}

/** Redirects followed within the allowed hosts; any redirect elsewhere is refused. */
const MAX_REDIRECTS = 3;

/** Builds the client; cheap (the token cache is shared per isolate unless `tokens` is given). */
export function createBandwidthApi(
  settings: BandwidthApiSettings,
  options: BandwidthApiOptions = {},
): BandwidthApi {
  const fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const timeouts = { ...DEFAULT_API_TIMEOUTS, ...options.timeouts };
  const tokens = options.tokens ?? ISOLATE_TOKENS;
  const apiBase = new URL(settings.apiUrl.replace(/\/+$/, ""));
  const basePath = apiBase.pathname.replace(/\/+$/, "");

  const mayReceiveToken = (url: string): boolean => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return false;
    }
    if (target.protocol !== "https:" && target.protocol !== "http:") return false;
    if (target.username || target.password) return false;
    if (settings.mediaOrigins.has(target.origin)) return true;
    const underBase = target.pathname === basePath || target.pathname.startsWith(`${basePath}/`);
    return target.origin === apiBase.origin && underBase;
  };

  const tokenContext = { fetch: fetcher, now, timeoutMs: timeouts.tokenMs, cache: tokens };

  /** One GET with the token; a 401 gets a fresh token and one more try. */
  const getWithToken = async (
    url: string,
    signal: AbortSignal,
    accept: string,
  ): Promise<ApiResult<Response>> => {
    let rejected: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await accessToken(settings, tokenContext, rejected);
      if (!token.ok) return { ok: false, ...token.failure };
      let response: Response;
      try {
        response = await fetcher(url, {
          method: "GET",
          redirect: "manual",
          signal,
          headers: { authorization: `Bearer ${token.token}`, accept, "accept-encoding": "identity" },
        });
      } catch (error) {
        return { ok: false, ...failureOfError(error) };
      }
      if (response.status !== 401) return { ok: true, value: response };
      await response.body?.cancel();
      rejected = token.token;
    }
    return { ok: false, kind: "unauthorized", status: 401, reason: "a fresh token was refused too" };
  };

  /** GET `url` with the token, following redirects only while they stay on hosts that may receive it. */
  const authorizedGet = async (
    url: string,
    timeoutMs: number,
    accept: string,
  ): Promise<ApiResult<Response>> => {
    const signal = AbortSignal.timeout(timeoutMs);
    let target = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      if (!mayReceiveToken(target)) {
        const reason = hop === 0 ? "host is not allowed" : "redirected to a host that is not allowed";
        return { ok: false, kind: "not-allowed", reason };
      }
      const result = await getWithToken(target, signal, accept);
      if (!result.ok) return result;
      const response = result.value;
      if (response.ok) return result;
      await response.body?.cancel();
      const location = response.headers.get("location");
      if (response.status < 300 || response.status > 399 || !location) {
        return {
          ok: false,
          ...failureOfStatus(response.status, rateLimitWaitMs(response.headers.get("retry-after"), now())),
        };
      }
      target = new URL(location, target).href;
    }
    return { ok: false, kind: "rejected", status: 310, reason: "too many redirects" };
  };

  return {
    mayReceiveToken,
    async listMessages(accountId, messageId) {
      const started = now();
      const url = new URL(
        `${apiBase.href.replace(/\/+$/, "")}/users/${encodeURIComponent(accountId)}/messages`,
      );
      url.searchParams.set("messageId", messageId);
      const result = await readList(await authorizedGet(url.href, timeouts.apiMs, "application/json"));
      logCall("list_messages", result, now() - started, { messageId });
      return result;
    },
    async fetchMedia(url) {
      const started = now();
      const result =
        mayReceiveToken(url) && !isAccountMediaUrl(url, settings.accountId)
          ? {
              ok: false as const,
              kind: "not-allowed" as const,
              reason: "not a media file of the configured account",
            }
          : await authorizedGet(url, timeouts.mediaMs, "*/*");
      logCall("media_get", result, now() - started, {});
      return result;
    },
  };
}

async function readList(result: ApiResult<Response>): Promise<ApiResult<MessagesList>> {
  if (!result.ok) return result;
  let body: unknown;
  try {
    body = await result.value.json();
  } catch (error) {
    const failure = failureOfError(error);
    return failure.reason === "timeout"
      ? { ok: false, ...failure }
      : { ok: false, kind: "unavailable", reason: "List Messages answered non-JSON" };
  }
  const list = readMessagesList(body);
  if (!list)
    return { ok: false, kind: "unavailable", reason: "List Messages answered without a messages list" };
  return { ok: true, value: list };
}

/** One log line per call: the operation and its outcome, never a URL, a token or a number. */
function logCall(
  operation: string,
  result: ApiResult<unknown>,
  latencyMs: number,
  fields: { messageId?: string },
) {
  const outcome = result.ok ? "ok" : result.kind;
  const status = result.ok ? undefined : "status" in result ? result.status : undefined;
  log(result.ok ? "info" : "warn", "bandwidth_api_call", {
    operation,
    outcome,
    status,
    latencyMs,
    ...fields,
  });
}
