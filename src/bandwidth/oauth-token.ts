/**
 * OAuth2 client credentials for Bandwidth's API: a token from the token endpoint, cached per isolate and
 * shared by every caller, refreshed shortly before it expires, and refreshed at once when an API call says
 * it is no longer valid. One request at a time per credential: concurrent callers wait for the same answer.
 */
import * as v from "valibot";
import { type ApiFailure, failureOfError, rateLimitWaitMs } from "./api-result.ts";

/** The client credentials and where to exchange them. */
export interface ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** What a token request needs besides the credentials. */
export interface TokenContext {
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  cache: TokenCache;
}

/** A token, or why none could be had. */
export type TokenResult = { ok: true; token: string } | { ok: false; failure: ApiFailure };

/** Longest a token is refreshed ahead of its expiry; short-lived tokens are refreshed at half their life. */
const REFRESH_MARGIN_MS = 60_000;
/** Lifetime assumed when the token endpoint does not say (`expires_in` absent). */
const DEFAULT_LIFETIME_S = 300;

const TokenResponseSchema = v.looseObject({
  access_token: v.pipe(v.string(), v.nonEmpty()),
  expires_in: v.optional(v.pipe(v.number(), v.minValue(1))),
});

interface Entry {
  token?: { value: string; refreshAt: number; expiresAt: number };
  pending?: Promise<TokenResult>;
}

/** Tokens by credential; one per isolate is shared by default ({@link ISOLATE_TOKENS}). */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();

  /** The entry of a credential (created empty). */
  entry(credentials: ClientCredentials): Entry {
    const key = `${credentials.tokenUrl}\n${credentials.clientId}`;
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {};
      this.entries.set(key, entry);
    }
    return entry;
  }
}

/** The tokens of this isolate: every Durable Object and request running here shares them. */
export const ISOLATE_TOKENS = new TokenCache();

/**
 * A valid token: the cached one until shortly before it expires, else a new one. `rejected` names a token an
 * API call just had refused (401): unless another caller has replaced it meanwhile, a new one is fetched.
 */
export function accessToken(
  credentials: ClientCredentials,
  context: TokenContext,
  rejected?: string,
): Promise<TokenResult> {
  const entry = context.cache.entry(credentials);
  if (entry.pending) return entry.pending;
  const cached = entry.token;
  if (cached && cached.value !== rejected && context.now() < cached.refreshAt) {
    return Promise.resolve({ ok: true, token: cached.value });
  }
  if (cached && cached.value === rejected) entry.token = undefined;
  entry.pending = requestToken(credentials, context)
    .then((result) => {
      if (result.ok) entry.token = result.entry;
      return result.ok ? { ok: true as const, token: result.entry.value } : result;
    })
    .finally(() => {
      entry.pending = undefined;
    });
  return entry.pending;
}

async function requestToken(
  credentials: ClientCredentials,
  context: TokenContext,
): Promise<{ ok: true; entry: NonNullable<Entry["token"]> } | { ok: false; failure: ApiFailure }> {
  let response: Response;
  try {
    response = await context.fetch(credentials.tokenUrl, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(context.timeoutMs),
      headers: {
        authorization: `Basic ${btoa(`${credentials.clientId}:${credentials.clientSecret}`)}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: "grant_type=client_credentials",
    });
  } catch (error) {
    return { ok: false, failure: failureOfError(error) };
  }
  const issuedAt = context.now();
  if (!response.ok) {
    await response.body?.cancel();
    return { ok: false, failure: tokenFailure(response, issuedAt) };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return { ok: false, failure: { kind: "unavailable", reason: "token endpoint answered non-JSON" } };
  }
  const parsed = v.safeParse(TokenResponseSchema, body);
  if (!parsed.success) {
    return { ok: false, failure: { kind: "unavailable", reason: "token endpoint answered without a token" } };
  }
  const lifetimeMs = (parsed.output.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
  const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
  return {
    ok: true,
    entry: {
      value: parsed.output.access_token,
      refreshAt: issuedAt + lifetimeMs - margin,
      expiresAt: issuedAt + lifetimeMs,
    },
  };
}

function tokenFailure(response: Response, now: number): ApiFailure {
  const { status } = response;
  if (status === 429) {
    return {
      kind: "rate-limited",
      status,
      retryAfterMs: rateLimitWaitMs(response.headers.get("retry-after"), now),
    };
  }
  // 400 (invalid_client) and 401 both mean the credentials were refused.
  if (status === 400 || status === 401 || status === 403) {
    return {
      kind: "unauthorized",
      status,
      reason: `token endpoint refused the client credentials (HTTP ${status})`,
    };
  }
  if (status >= 500 || status === 408)
    return { kind: "unavailable", status, reason: `token endpoint HTTP ${status}` };
  return { kind: "rejected", status, reason: `token endpoint HTTP ${status}` };
}
