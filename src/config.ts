/**
 * The environment → a validated configuration, once per isolate. Workers have no start-up phase, so problems
 * surface on the first request as a 503 with a log line naming the setting (never its value), and in /healthz.
 */

import * as v from "valibot";
import type { Destination } from "./forward/destination-schema.ts";
import { destinationsAbsent, parseDestinations, readHeaders } from "./forward/destinations.ts";
import type { RetryPolicy } from "./forward/retry.ts";
import { isWebhookSecret } from "./forward/sign.ts";
import { indexShardsProblem } from "./index-db/shards.ts";
import { readJurisdiction } from "./jurisdiction.ts";
import { isLogLevel, type LogLevel, setLogLevel } from "./log.ts";
import { type MediaSettings, parseMediaSettings } from "./media/settings.ts";
import { downstreamUrlProblem } from "./net/downstream-url.ts";

/** Basic credentials that Bandwidth may present. */
export interface Credentials {
  username: string;
  password: string;
}

/** The receiver's configuration. */
export interface Config {
  /** Accepted credentials, or `open` when ALLOW_UNAUTHENTICATED_CALLBACKS is "true" and none are set. */
  callbackAuth: { mode: "basic"; credentials: Credentials[] } | { mode: "open" };
  adminTokens: string[];
  /**
   * Where events go: DESTINATIONS, or without it one HTTP destination named `default` (DOWNSTREAM_URL,
   * DOWNSTREAM_SECRET) with no filter.
   */
  destinations: Destination[];
  /**
   * The `default` destination's target without DESTINATIONS; with it, the first HTTP destination's (a url of
   * "" when there is none).
   */
  retry: RetryPolicy;
  retentionMs: number;
  /**
   * How long after a message's last activity its alarm comes to write the forwarding results kept in memory
   * and the message's index rows (SETTLE_DELAY_MS): one write for a burst of callbacks instead of one each.
   */
  settleMs: number;
  /** What an authenticated event with a usable envelope but otherwise invalid gets (INVALID_EVENTS). */
  invalidEvents: "quarantine" | "reject";
  /** Inbound media copies, their signed links and reconciliation: each absent member is off. */
  media: MediaSettings;
  /** The least severe log line written (LOG_LEVEL): `info` every line, `warn` drops the per-event ones. */
  logLevel: LogLevel;
}

/** One problem with one setting; `setting` is safe to log and show, the value never appears. */
export interface ConfigProblem {
  setting: string;
  problem: string;
}

/** The configuration, or every problem found. */
export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

function integerSetting(min: number, max: number) {
  return v.pipe(
    v.optional(v.union([v.string(), v.number()]), ""),
    v.transform((value) => (value === "" ? Number.NaN : Number(value))),
    v.check((n) => Number.isInteger(n) && n >= min && n <= max, `must be an integer from ${min} to ${max}`),
  );
}

const TuningSchema = v.object({
  FORWARD_TIMEOUT_MS: integerSetting(100, 60_000),
  FORWARD_MAX_AGE_HOURS: integerSetting(1, 720),
  FORWARD_BACKOFF_BASE_MS: integerSetting(10, 3_600_000),
  FORWARD_BACKOFF_MAX_MS: integerSetting(10, 86_400_000),
  RETENTION_DAYS: integerSetting(1, 3650),
  // Under the ~10 s after which an idle object may be evicted: deliveries noted in memory are written first.
  SETTLE_DELAY_MS: integerSetting(0, 9_000),
});

const TUNING_DEFAULTS = {
  FORWARD_TIMEOUT_MS: "10000",
  FORWARD_MAX_AGE_HOURS: "24",
  FORWARD_BACKOFF_BASE_MS: "1000",
  FORWARD_BACKOFF_MAX_MS: "600000",
  RETENTION_DAYS: "30",
  SETTLE_DELAY_MS: "5000",
};

const cache = new WeakMap<object, ConfigResult>();

/**
 * The validated configuration for `env`, computed once per env object; also applies its LOG_LEVEL to this
 * isolate's log lines (src/log.ts), so every entry point reads it before it logs. An invalid configuration
 * leaves the level as it was (every line, in a fresh isolate).
 */
export function readConfig(env: Env): ConfigResult {
  let result = cache.get(env);
  if (!result) {
    result = parseConfig(env);
    cache.set(env, result);
  }
  if (result.ok) setLogLevel(result.config.logLevel);
  return result;
}

/** Validates every setting and collects all problems, so one deploy fixes them all. */
export function parseConfig(env: Env): ConfigResult {
  const problems: ConfigProblem[] = [];
  const callbackAuth = parseCallbackAuth(env, problems);
  const tuning = v.safeParse(TuningSchema, { ...TUNING_DEFAULTS, ...definedTuning(env) });
  // With a broken tuning setting the result is a failure anyway; the defaults only let the other checks run.
  const forward = {
    timeoutMs: tuning.success ? tuning.output.FORWARD_TIMEOUT_MS : 10_000,
    maxAgeHours: tuning.success ? tuning.output.FORWARD_MAX_AGE_HOURS : 24,
  };
  const destinations = parseForwarding(env, problems, forward);
  const adminTokens = words(env.ADMIN_TOKEN);
  if (adminTokens.length === 0) problems.push({ setting: "ADMIN_TOKEN", problem: "is not set" });
  else if (adminTokens.some((token) => token.length < 16)) {
    problems.push({ setting: "ADMIN_TOKEN", problem: "must be at least 16 characters" });
  }
  const invalidEvents = (env.INVALID_EVENTS ?? "").trim() || "quarantine";
  if (invalidEvents !== "quarantine" && invalidEvents !== "reject") {
    problems.push({ setting: "INVALID_EVENTS", problem: 'must be "quarantine" or "reject"' });
  }
  const logLevel = logLevelSetting(env, problems);
  if (!readJurisdiction(env.DATA_JURISDICTION).ok) {
    problems.push({ setting: "DATA_JURISDICTION", problem: 'must be "eu", "fedramp" or empty' });
  }
  if (!tuning.success) {
    for (const issue of tuning.issues) {
      problems.push({ setting: String(issue.path?.[0]?.key ?? "tuning"), problem: issue.message });
    }
  }
  const media = parseMediaSettings(env);
  if (!media.ok) problems.push(...media.problems);
  const shards = indexShardsProblem(env);
  if (shards) problems.push({ setting: "INDEX_SHARDS", problem: shards });
  if (problems.length > 0 || !tuning.success || !callbackAuth || !destinations || !media.ok || !logLevel)
    return { ok: false, problems };
  const t = tuning.output;
  return {
    ok: true,
    config: {
      callbackAuth,
      adminTokens,
      destinations,
      retry: {
        baseDelayMs: t.FORWARD_BACKOFF_BASE_MS,
        maxDelayMs: Math.max(t.FORWARD_BACKOFF_BASE_MS, t.FORWARD_BACKOFF_MAX_MS),
        maxAgeMs: t.FORWARD_MAX_AGE_HOURS * 3_600_000,
      },
      retentionMs: t.RETENTION_DAYS * 86_400_000,
      settleMs: t.SETTLE_DELAY_MS,
      invalidEvents: invalidEvents === "reject" ? "reject" : "quarantine",
      media: media.settings,
      logLevel,
    },
  };
}

/**
 * The destinations: DESTINATIONS when it is set, otherwise DOWNSTREAM_URL and DOWNSTREAM_SECRET as the one
 * destination `default`. Undefined, with the problems recorded, when they are wrong.
 */
function parseForwarding(
  env: Env,
  problems: ConfigProblem[],
  defaults: { timeoutMs: number; maxAgeHours: number },
): Destination[] | undefined {
  // Read by name: DESTINATIONS may be an array (TOML inline tables) or a string, and its secrets' names vary.
  const settings = env as unknown as Readonly<Record<string, unknown>>;
  const raw = settings.DESTINATIONS;
  if (!destinationsAbsent(raw)) {
    const allowLoopback = booleanSetting(env, "ALLOW_LOOPBACK_DOWNSTREAM", problems);
    if (allowLoopback === undefined) return undefined;
    const result = parseDestinations(raw, settings, { ...defaults, allowLoopback });
    if (result.ok) return result.destinations;
    problems.push(...result.problems);
    return undefined;
  }
  const before = problems.length;
  const secrets = words(env.DOWNSTREAM_SECRET);
  if (secrets.length === 0) problems.push({ setting: "DOWNSTREAM_SECRET", problem: "is not set" });
  else if (!secrets.every(isWebhookSecret)) {
    problems.push({ setting: "DOWNSTREAM_SECRET", problem: "must be whsec_ followed by base64" });
  }
  const allowLoopback = booleanSetting(env, "ALLOW_LOOPBACK_DOWNSTREAM", problems);
  const urlProblem = downstreamUrlProblem(env.DOWNSTREAM_URL ?? "", allowLoopback === true);
  if (urlProblem) problems.push({ setting: "DOWNSTREAM_URL", problem: urlProblem });
  const headers = readHeaders(settings, "default", problems);
  if (problems.length > before || !headers) return undefined;
  const target = { url: env.DOWNSTREAM_URL, secrets, timeoutMs: defaults.timeoutMs, ...headers };
  return [
    {
      kind: "http",
      name: "default",
      target,
      timeoutMs: defaults.timeoutMs,
      maxAgeMs: defaults.maxAgeHours * 3_600_000,
    },
  ];
}

function definedTuning(env: Env): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const key of Object.keys(TUNING_DEFAULTS)) {
    const value: unknown = env[key as keyof Env];
    if ((typeof value === "string" && value !== "") || typeof value === "number")
      defined[key] = String(value);
  }
  return defined;
}

/** The shortest callback password accepted, as for ADMIN_TOKEN: the callback URL is public, a short password guessable. */
const MIN_CALLBACK_PASSWORD_LENGTH = 16;

function parseCallbackAuth(env: Env, problems: ConfigProblem[]): Config["callbackAuth"] | undefined {
  const allowOpen = booleanSetting(env, "ALLOW_UNAUTHENTICATED_CALLBACKS", problems);
  if (allowOpen === undefined) return undefined;
  const credentials: Credentials[] = [];
  const problemsBefore = problems.length;
  for (const suffix of ["", "_PREVIOUS"] as const) {
    const username = env[`CALLBACK_USERNAME${suffix}`] ?? "";
    const password = env[`CALLBACK_PASSWORD${suffix}`] ?? "";
    if (username && password.length >= MIN_CALLBACK_PASSWORD_LENGTH) credentials.push({ username, password });
    else if (username && password) {
      problems.push({
        setting: `CALLBACK_PASSWORD${suffix}`,
        problem: `must be at least ${MIN_CALLBACK_PASSWORD_LENGTH} characters`,
      });
    } else if (username || password) {
      const missing = username ? `CALLBACK_PASSWORD${suffix}` : `CALLBACK_USERNAME${suffix}`;
      problems.push({ setting: missing, problem: "is not set, but its pair is" });
    }
  }
  // A pair that is set but unusable never falls back to open mode or to the other pair alone.
  if (problems.length > problemsBefore) return undefined;
  if (credentials.length > 0) return { mode: "basic", credentials };
  if (allowOpen) return { mode: "open" };
  problems.push({
    setting: "CALLBACK_USERNAME",
    problem: "no callback credentials are set and ALLOW_UNAUTHENTICATED_CALLBACKS is not true",
  });
  return undefined;
}

/** A "true"/"false" setting (default false); undefined, with a problem recorded, for anything else. */
function booleanSetting(
  env: Env,
  setting: "ALLOW_UNAUTHENTICATED_CALLBACKS" | "ALLOW_LOOPBACK_DOWNSTREAM",
  problems: ConfigProblem[],
): boolean | undefined {
  const value = (env[setting] ?? "false").trim();
  if (value === "true" || value === "false") return value === "true";
  problems.push({ setting, problem: 'must be "true" or "false"' });
  return undefined;
}

/** LOG_LEVEL (default "info"); undefined, with a problem recorded, for anything else. */
function logLevelSetting(env: Env, problems: ConfigProblem[]): LogLevel | undefined {
  const value = (env.LOG_LEVEL ?? "").trim() || "info";
  if (isLogLevel(value)) return value;
  problems.push({ setting: "LOG_LEVEL", problem: 'must be "info", "warn" or "error"' });
  return undefined;
}

function words(value: string | undefined): string[] {
  return (value ?? "").split(/\s+/).filter((word) => word !== "");
}
