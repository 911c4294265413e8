/**
 * Which downstream URLs the receiver will POST to: https to a public host, or, only when development allows
 * it (ALLOW_LOOPBACK_DOWNSTREAM), plain http to loopback. Always refused: credentials or a fragment in the
 * URL, and over https the names `localhost`, `*.localhost` and `*.internal` and every IANA special-purpose
 * address (special-addresses.ts). Host names are not resolved, so a public name whose DNS answer is a private
 * address passes; the Worker's fetch cannot reach private networks from Cloudflare's edge anyway.
 */
import { type IpAddress, inRange, parseIpAddress, specialPurposeRange } from "./special-addresses.ts";

/** Why `value` is not an acceptable DOWNSTREAM_URL, or undefined when it is. Never quotes the value. */
export function downstreamUrlProblem(value: string, allowLoopback = false): string | undefined {
  if (value.trim() === "") return "is not set";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not an absolute URL";
  }
  if (url.username || url.password) return "must not contain credentials";
  if (url.hash) return "must not contain a fragment";
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must use https:";
  // A trailing dot names the same host from the root ("localhost." is localhost). The URL parser has already
  // turned every IPv4 form (0x7f.1, 2130706433) into a dotted quad and compressed every IPv6 address.
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  const bracketed = host.startsWith("[") && host.endsWith("]");
  const address = parseIpAddress(bracketed ? host.slice(1, -1) : host);
  if (bracketed && address === undefined) return "has an IPv6 host that cannot be read";
  if (url.protocol === "http:") {
    if (!isLoopback(host, address)) return "must use https: (http: only to localhost, 127.0.0.0/8 or [::1])";
    return allowLoopback
      ? undefined
      : 'may use http: to loopback only when ALLOW_LOOPBACK_DOWNSTREAM is "true"';
  }
  if (isLocalName(host) || (address !== undefined && specialPurposeRange(address) !== undefined)) {
    return "must not point at a loopback, private, link-local or other special-purpose address";
  }
  return undefined;
}

function isLoopback(host: string, address: IpAddress | undefined): boolean {
  if (address === undefined) return host === "localhost";
  return inRange(address, "127.0.0.0/8") || inRange(address, "::1/128");
}

function isLocalName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal");
}
