/**
 * DESTINATIONS: where normalized events go, each destination with its own filter. Given as a TOML array of
 * inline tables in [vars] (the Worker then sees an array of objects) or as one JSON string (a `--var`, a
 * secret, .dev.vars). Every problem is reported under the setting `DESTINATIONS` with the destination's index
 * and field, or under the missing secret's own name; never with a value (no URL, no secret).
 */
import * as v from "valibot";
import { downstreamUrlProblem } from "../net/downstream-url.ts";
import { destinationHeadersSetting, parseDestinationHeaders } from "./destination-headers.ts";
import { type Destination, DestinationEntrySchema, type DestinationFilter } from "./destination-schema.ts";
import { FILTER_EVENT_NAMES, filterEventName } from "./filter-events.ts";
import type { RetryPolicy } from "./retry.ts";
import { isWebhookSecret } from "./sign.ts";

/** The most destinations one receiver forwards to: every event costs one outbox entry per destination. */
export const MAX_DESTINATIONS = 20;

/** One problem with one setting, shaped like config.ts's ConfigProblem; never holds a value. */
export interface SettingProblem {
  setting: string;
  problem: string;
}

/** The defaults a destination takes from the tuning settings, and ALLOW_LOOPBACK_DOWNSTREAM. */
export interface DestinationDefaults {
  timeoutMs: number;
  maxAgeHours: number;
  allowLoopback: boolean;
}

/** The setting that holds the signing secret(s) of the HTTP destination `name`. */
export function destinationSecretSetting(name: string): string {
  return `DESTINATION_SECRET_${name.toUpperCase().replaceAll("-", "_")}`;
}

/** Whether DESTINATIONS is absent: unset, or an empty (or blank) string, as an empty [vars] entry gives. */
export function destinationsAbsent(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
}

/** The retry policy of one destination: the common backoff with the destination's own max age. */
export function retryPolicyFor(destination: Destination, retry: RetryPolicy): RetryPolicy {
  return { ...retry, maxAgeMs: destination.maxAgeMs };
}

/**
 * DESTINATIONS (present, see {@link destinationsAbsent}) → the destinations, or every problem found. `env`
 * supplies the destinations' secrets and Queues bindings.
 */
export function parseDestinations(
  raw: unknown,
  env: Readonly<Record<string, unknown>>,
  defaults: DestinationDefaults,
): { ok: true; destinations: Destination[] } | { ok: false; problems: SettingProblem[] } {
  const list = readList(raw);
  if (typeof list === "string") return { ok: false, problems: [{ setting: "DESTINATIONS", problem: list }] };
  const problems: SettingProblem[] = [];
  const destinations: Destination[] = [];
  const seen = new Map<string, number>();
  list.forEach((value, index) => {
    const at = `DESTINATIONS[${index}]`;
    const report = (problem: string) => problems.push({ setting: "DESTINATIONS", problem });
    const entry = v.safeParse(DestinationEntrySchema, value, { abortEarly: false });
    if (!entry.success) {
      for (const issue of entry.issues) report(`${at}${issuePath(issue)}: ${issueMessage(issue)}`);
      return;
    }
    const { name, url, queue } = entry.output;
    const filter = entry.output.filter && normalizeFilter(entry.output.filter, `${at}.filter`, report);
    const empty = filter && !filter.operator ? emptyFilterField(filter) : undefined;
    if (empty) report(`${at}.filter.${empty}: is empty, so the destination would receive no event`);
    const earlier = seen.get(name);
    if (earlier !== undefined) report(`${at}.name: repeats the name of DESTINATIONS[${earlier}]`);
    seen.set(name, earlier ?? index);
    const common = {
      name,
      ...(filter ? { filter } : {}),
      timeoutMs: entry.output.timeoutMs ?? defaults.timeoutMs,
      maxAgeMs: (entry.output.maxAgeHours ?? defaults.maxAgeHours) * 3_600_000,
      ...(entry.output.maxPerSecond === undefined ? {} : { maxPerSecond: entry.output.maxPerSecond }),
    };
    if ((url === undefined) === (queue === undefined)) {
      report(`${at}: must have exactly one of url (an HTTP destination) and queue (a Queues binding)`);
    } else if (queue !== undefined) {
      const headersSetting = destinationHeadersSetting(name);
      if (!destinationsAbsent(env[headersSetting])) {
        problems.push({
          setting: headersSetting,
          problem: `is set, but DESTINATIONS[${index}] is a queue destination (headers are for HTTP ones)`,
        });
      }
      if (!isQueueBinding(env[queue])) report(`${at}.queue: names no Queues producer binding of this Worker`);
      else destinations.push({ ...common, kind: "queue", queue });
    } else if (url !== undefined) {
      const urlProblem = downstreamUrlProblem(url, defaults.allowLoopback);
      if (urlProblem) report(`${at}.url: ${urlProblem}`);
      const secrets = readSecrets(env, name, index, problems);
      const headers = readHeaders(env, name, problems);
      if (!urlProblem && secrets && headers) {
        const target = { url, secrets, timeoutMs: common.timeoutMs, ...headers };
        destinations.push({ ...common, kind: "http", target });
      }
    }
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, destinations };
}

/** The entries of DESTINATIONS, or the problem with the setting as a whole. */
function readList(raw: unknown): unknown[] | string {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      // JSON.parse's message quotes the text: never repeated.
      return "DESTINATIONS: is not valid JSON";
    }
  }
  if (!Array.isArray(value)) return "DESTINATIONS: must be a JSON array of destinations";
  if (value.length === 0) return "DESTINATIONS: must list at least one destination (or be left unset)";
  if (value.length > MAX_DESTINATIONS)
    return `DESTINATIONS: must list at most ${MAX_DESTINATIONS} destinations`;
  return value;
}

/** The destination's signing secrets, or undefined with the problem recorded under the secret's setting. */
function readSecrets(
  env: Readonly<Record<string, unknown>>,
  name: string,
  index: number,
  problems: SettingProblem[],
): string[] | undefined {
  const setting = destinationSecretSetting(name);
  const value = env[setting];
  const secrets = (typeof value === "string" ? value : "").split(/\s+/).filter((word) => word !== "");
  if (secrets.length === 0) {
    problems.push({ setting, problem: `is not set (DESTINATIONS[${index}] is an HTTP destination)` });
    return undefined;
  }
  if (!secrets.every(isWebhookSecret)) {
    problems.push({ setting, problem: "must be whsec_ followed by base64" });
    return undefined;
  }
  return secrets;
}

/**
 * The filter with its event names normalized (Bandwidth's type names are aliases); a value that names no known
 * event is reported by its place, never by its value (it would otherwise match nothing, silently).
 */
function normalizeFilter(
  filter: DestinationFilter,
  at: string,
  report: (problem: string) => void,
): DestinationFilter {
  if (filter.events === undefined) return filter;
  const events = filter.events.map((value, index) => {
    const name = filterEventName(value);
    if (name === undefined)
      report(
        `${at}.events[${index}]: names no known event (${FILTER_EVENT_NAMES.join(", ")}, or Bandwidth's type)`,
      );
    return name ?? value;
  });
  return { ...filter, events: [...new Set(events)] };
}

/**
 * The destination's extra headers (`{ headers }`, or `{}` when it has none), or undefined with the problems
 * recorded under DESTINATION_HEADERS_<NAME>.
 */
export function readHeaders(
  env: Readonly<Record<string, unknown>>,
  name: string,
  problems: SettingProblem[],
): { headers?: Record<string, string> } | undefined {
  const setting = destinationHeadersSetting(name);
  const parsed = parseDestinationHeaders(env[setting]);
  if (!parsed.ok) {
    for (const problem of parsed.problems) problems.push({ setting, problem });
    return undefined;
  }
  return Object.keys(parsed.headers).length > 0 ? { headers: parsed.headers } : {};
}

/** The first list of the filter that is empty (it matches nothing), if any. */
function emptyFilterField(filter: DestinationFilter): string | undefined {
  const lists = ["events", "applicationIds", "tags", "errorCodes"] as const;
  return lists.find((field) => filter[field]?.length === 0);
}

function isQueueBinding(value: unknown): value is Queue {
  return (
    typeof value === "object" && value !== null && typeof (value as { send?: unknown }).send === "function"
  );
}

/** `.filter.events[0]`: the issue's place inside one destination. */
function issuePath(issue: v.BaseIssue<unknown>): string {
  return (issue.path ?? [])
    .map((item) => (typeof item.key === "number" ? `[${item.key}]` : `.${String(item.key)}`))
    .join("");
}

function issueMessage(issue: v.BaseIssue<unknown>): string {
  // A strict object refuses an unknown field (a typo such as "filters" would otherwise silently mean "no
  // filter"); a required field that is missing is an issue of its key too.
  if (issue.type === "strict_object" && issue.expected === "never") return "is not a known field";
  if (issue.path?.[issue.path.length - 1]?.origin === "key") return "is required";
  return issue.message;
}
