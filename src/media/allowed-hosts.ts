/**
 * Which media hosts may receive the Bandwidth API token: Bandwidth's own media host, plus the operator's
 * MEDIA_ALLOWED_HOSTS (comma-separated `host` or `host:port`). Plain http only to loopback, and only when
 * ALLOW_LOOPBACK_DOWNSTREAM is "true" (development and tests); never a private or special-purpose address.
 * The result is a set of origins (`https://host[:port]`), what the client compares a URL's origin with.
 */
import { inRange, parseIpAddress, specialPurposeRange } from "../net/special-addresses.ts";

/** Where Bandwidth serves inbound media: always allowed, over https only. */
export const BANDWIDTH_MEDIA_ORIGIN = "https://messaging.bandwidth.com";

/** Most entries MEDIA_ALLOWED_HOSTS may list. */
const MAX_ENTRIES = 20;

/** The allowed origins, or the problem with the setting (never quoting it). */
export type AllowedHostsResult = { ok: true; origins: ReadonlySet<string> } | { ok: false; problem: string };

/** Reads MEDIA_ALLOWED_HOSTS into the set of origins that may receive the token (Bandwidth's included). */
export function parseAllowedHosts(value: string, allowLoopback: boolean): AllowedHostsResult {
  const origins = new Set([BANDWIDTH_MEDIA_ORIGIN]);
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  if (entries.length > MAX_ENTRIES) return { ok: false, problem: `must list at most ${MAX_ENTRIES} hosts` };
  for (const entry of entries) {
    const added = originsOf(entry, allowLoopback);
    if (typeof added === "string") return { ok: false, problem: added };
    for (const origin of added) origins.add(origin);
  }
  return { ok: true, origins };
}

/** The origins one entry allows, or why it is refused. */
function originsOf(entry: string, allowLoopback: boolean): string[] | string {
  if (/[/@*?#\\\s]/.test(entry)) {
    return "must list host or host:port entries (no scheme, path, credentials or wildcard)";
  }
  let url: URL;
  try {
    url = new URL(`https://${entry}`);
  } catch {
    return "has an entry that is not host or host:port";
  }
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  const bracketed = host.startsWith("[") && host.endsWith("]");
  const address = parseIpAddress(bracketed ? host.slice(1, -1) : host);
  const loopback =
    address === undefined
      ? host === "localhost"
      : inRange(address, "127.0.0.0/8") || inRange(address, "::1/128");
  if (loopback) {
    if (!allowLoopback) return 'lists a loopback host, allowed only when ALLOW_LOOPBACK_DOWNSTREAM is "true"';
    return [url.origin, new URL(`http://${entry}`).origin];
  }
  const local = host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal");
  if (local || (address !== undefined && specialPurposeRange(address) !== undefined)) {
    return "must not list a private, link-local or other special-purpose address";
  }
  return [url.origin];
}
