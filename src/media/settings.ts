/**
 * The settings of media copies, signed media links and reconciliation, read from the environment by one pure
 * function. Each feature is off (not an error) while its settings are absent; half of one (a client id
 * without its secret) is a problem named by setting, never quoting a value. src/config.ts calls
 * {@link parseMediaSettings} and adds its problems to its own.
 */
import type { BandwidthApiSettings } from "../bandwidth/api-client.ts";
import { downstreamUrlProblem } from "../net/downstream-url.ts";
import { parseAllowedHosts } from "./allowed-hosts.ts";

/** RECONCILE_AFTER_HOURS and RECONCILE_MAX_AGE_HOURS, in milliseconds. */
export interface ReconcileSettings {
  afterMs: number;
  maxAgeMs: number;
}

/** The bindings these settings are read from: a structural subset of Env (secrets included). */
export interface MediaEnv {
  MEDIA_BUCKET?: R2Bucket;
  BANDWIDTH_ACCOUNT_ID?: string;
  BANDWIDTH_CLIENT_ID?: string;
  BANDWIDTH_CLIENT_SECRET?: string;
  BANDWIDTH_TOKEN_URL?: string;
  BANDWIDTH_API_URL?: string;
  MEDIA_LINK_SECRET?: string;
  MEDIA_ALLOWED_HOSTS?: string;
  MEDIA_URL_TTL_HOURS?: string | number;
  MEDIA_PUBLIC_URL?: string;
  RECONCILE_AFTER_HOURS?: string | number;
  RECONCILE_MAX_AGE_HOURS?: string | number;
  ALLOW_LOOPBACK_DOWNSTREAM?: string;
}

/** Access to Bandwidth's API: the account, the client credentials, the URLs and the allowed media hosts. */
export interface BandwidthAccess extends BandwidthApiSettings {
  accountId: string;
}

/** Signed links to media copies (GET /media/...): where the copies are and how links are signed. */
export interface MediaLinkSettings {
  bucket: R2Bucket;
  /** MEDIA_LINK_SECRET: the HMAC-SHA256 key of the links. */
  secret: string;
  /** How long a link is valid after it is made (MEDIA_URL_TTL_HOURS). */
  ttlMs: number;
  /** The receiver's public origin, making mirrorUrl absolute; absent: mirrorUrl is a root-relative path. */
  publicUrl?: string;
}

/** Copying inbound media: the API to fetch it with and the links to hand out. */
export interface MediaCopySettings {
  api: BandwidthAccess;
  links: MediaLinkSettings;
}

/** What is configured; an absent member is a feature that is off. */
export interface MediaSettings {
  api?: BandwidthAccess;
  links?: MediaLinkSettings;
  copy?: MediaCopySettings;
  reconcile?: ReconcileSettings;
}

/** One problem with one setting, shaped like config.ts's ConfigProblem. */
export interface SettingProblem {
  setting: string;
  problem: string;
}

/** The settings, or every problem found. */
export type MediaSettingsResult =
  | { ok: true; settings: MediaSettings }
  | { ok: false; problems: SettingProblem[] };

export const DEFAULT_TOKEN_URL = "https://api.bandwidth.com/api/v1/oauth2/token";
export const DEFAULT_API_URL = "https://messaging.bandwidth.com/api/v2";
/** Shortest MEDIA_LINK_SECRET accepted. */
export const MIN_LINK_SECRET_LENGTH = 32;

const HOUR_MS = 3_600_000;
const CREDENTIALS = ["BANDWIDTH_ACCOUNT_ID", "BANDWIDTH_CLIENT_ID", "BANDWIDTH_CLIENT_SECRET"] as const;

/** Validates every media and reconciliation setting and collects all problems. Pure. */
export function parseMediaSettings(env: MediaEnv): MediaSettingsResult {
  const problems: SettingProblem[] = [];
  const allowLoopback = text(env.ALLOW_LOOPBACK_DOWNSTREAM) === "true";
  const api = readApi(env, allowLoopback, problems);
  const links = readLinks(env, allowLoopback, problems);
  const afterHours = hours(env, "RECONCILE_AFTER_HOURS", 3, problems);
  const maxAgeHours = hours(env, "RECONCILE_MAX_AGE_HOURS", 72, problems);
  if (afterHours !== undefined && maxAgeHours !== undefined && maxAgeHours <= afterHours) {
    problems.push({
      setting: "RECONCILE_MAX_AGE_HOURS",
      problem: "must be greater than RECONCILE_AFTER_HOURS",
    });
  }
  const bucket = isBucket(env.MEDIA_BUCKET);
  if (api && bucket && !links && text(env.MEDIA_LINK_SECRET) === "") {
    problems.push({
      setting: "MEDIA_LINK_SECRET",
      problem: "is not set, but media copies are configured (MEDIA_BUCKET and the Bandwidth API credentials)",
    });
  }
  if (problems.length > 0 || afterHours === undefined || maxAgeHours === undefined)
    return { ok: false, problems };
  const settings: MediaSettings = {};
  if (api) {
    settings.api = api;
    settings.reconcile = { afterMs: afterHours * HOUR_MS, maxAgeMs: maxAgeHours * HOUR_MS };
  }
  if (links) settings.links = links;
  if (api && links) settings.copy = { api, links };
  return { ok: true, settings };
}

const cache = new WeakMap<object, MediaSettingsResult>();

/** {@link parseMediaSettings}, computed once per env object. */
export function readMediaSettings(env: MediaEnv): MediaSettingsResult {
  let result = cache.get(env);
  if (!result) {
    result = parseMediaSettings(env);
    cache.set(env, result);
  }
  return result;
}

function readApi(
  env: MediaEnv,
  allowLoopback: boolean,
  problems: SettingProblem[],
): BandwidthAccess | undefined {
  const before = problems.length;
  const tokenUrl = text(env.BANDWIDTH_TOKEN_URL) || DEFAULT_TOKEN_URL;
  const apiUrl = text(env.BANDWIDTH_API_URL) || DEFAULT_API_URL;
  const urlProblems = [
    urlProblem("BANDWIDTH_TOKEN_URL", tokenUrl, allowLoopback),
    urlProblem("BANDWIDTH_API_URL", apiUrl, allowLoopback),
  ].filter((problem) => problem !== undefined);
  problems.push(...urlProblems);
  const hosts = parseAllowedHosts(text(env.MEDIA_ALLOWED_HOSTS), allowLoopback);
  if (!hosts.ok) problems.push({ setting: "MEDIA_ALLOWED_HOSTS", problem: hosts.problem });
  const [accountId, clientId, clientSecret] = CREDENTIALS.map((name) => text(env[name]));
  const given = CREDENTIALS.filter((name) => text(env[name]) !== "");
  if (given.length === 0) return undefined;
  if (given.length < CREDENTIALS.length) {
    for (const name of CREDENTIALS.filter((n) => !given.includes(n))) {
      problems.push({ setting: name, problem: "is not set, but the other Bandwidth API credentials are" });
    }
    return undefined;
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(accountId ?? "")) {
    problems.push({
      setting: "BANDWIDTH_ACCOUNT_ID",
      problem: "must be an account id (letters, digits, - or _)",
    });
  }
  // Both travel in a Basic header: printable ASCII, and no colon in the id.
  if (!/^[\x21-\x39\x3b-\x7e]{1,256}$/.test(clientId ?? "")) {
    problems.push({
      setting: "BANDWIDTH_CLIENT_ID",
      problem: "must be printable ASCII without spaces or colons",
    });
  }
  if (!/^[\x20-\x7e]{1,1024}$/.test(clientSecret ?? "")) {
    problems.push({ setting: "BANDWIDTH_CLIENT_SECRET", problem: "must be printable ASCII" });
  }
  if (problems.length > before || !hosts.ok) return undefined;
  return {
    accountId: accountId as string,
    clientId: clientId as string,
    clientSecret: clientSecret as string,
    tokenUrl,
    apiUrl,
    mediaOrigins: hosts.origins,
  };
}

function readLinks(
  env: MediaEnv,
  allowLoopback: boolean,
  problems: SettingProblem[],
): MediaLinkSettings | undefined {
  const secret = text(env.MEDIA_LINK_SECRET);
  const ttlHours = hours(env, "MEDIA_URL_TTL_HOURS", 24, problems);
  const publicUrl = text(env.MEDIA_PUBLIC_URL).replace(/\/+$/, "");
  if (publicUrl !== "") {
    const problem = urlProblem("MEDIA_PUBLIC_URL", publicUrl, allowLoopback);
    if (problem) problems.push(problem);
    else if (new URL(publicUrl).pathname !== "/" || new URL(publicUrl).search) {
      problems.push({
        setting: "MEDIA_PUBLIC_URL",
        problem: "must be an origin such as https://receiver.example.com",
      });
    }
  }
  if (secret !== "" && secret.length < MIN_LINK_SECRET_LENGTH) {
    problems.push({
      setting: "MEDIA_LINK_SECRET",
      problem: `must be at least ${MIN_LINK_SECRET_LENGTH} characters`,
    });
    return undefined;
  }
  const bucket = env.MEDIA_BUCKET;
  if (secret === "" || !isBucket(bucket) || ttlHours === undefined) return undefined;
  const links: MediaLinkSettings = { bucket, secret, ttlMs: ttlHours * HOUR_MS };
  if (publicUrl !== "") links.publicUrl = new URL(publicUrl).origin;
  return links;
}

function urlProblem(setting: string, value: string, allowLoopback: boolean): SettingProblem | undefined {
  const problem = downstreamUrlProblem(value, allowLoopback);
  if (problem) return { setting, problem };
  const url = new URL(value);
  return url.search ? { setting, problem: "must not contain a query" } : undefined;
}

/** A duration in hours: a decimal number from 0.001 to 720, `fallback` when unset. */
function hours(
  env: MediaEnv,
  setting: "MEDIA_URL_TTL_HOURS" | "RECONCILE_AFTER_HOURS" | "RECONCILE_MAX_AGE_HOURS",
  fallback: number,
  problems: SettingProblem[],
): number | undefined {
  const value = text(env[setting]);
  if (value === "") return fallback;
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (n >= 0.001 && n <= 720) return n;
  problems.push({ setting, problem: "must be a number of hours from 0.001 to 720" });
  return undefined;
}

function isBucket(value: unknown): value is R2Bucket {
  return typeof value === "object" && value !== null && typeof (value as R2Bucket).put === "function";
}

function text(value: string | number | undefined): string {
  return value === undefined ? "" : String(value).trim();
}
