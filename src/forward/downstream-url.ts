/**
 * Which downstream URLs the receiver will POST to: https to a public host, or, only when development allows
 * it (ALLOW_LOOPBACK_DOWNSTREAM), plain http to loopback. Credentials in the URL and private, link-local or
 * loopback addresses over https are always refused.
 */

const LOOPBACK_HOSTS = new Set(["localhost", "[::1]"]);

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
  // A trailing dot names the same host from the root ("localhost." is localhost).
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  if (url.protocol === "http:") {
    if (!isLoopback(host)) return "must use https: (http: only to localhost, 127.0.0.0/8 or [::1])";
    return allowLoopback
      ? undefined
      : 'may use http: to loopback only when ALLOW_LOOPBACK_DOWNSTREAM is "true"';
  }
  if (url.protocol !== "https:") return "must use https:";
  if (isLoopback(host) || isPrivateAddress(host)) {
    return "must not point at a loopback, private or link-local address";
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function isPrivateAddress(host: string): boolean {
  const octets = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(host);
  if (octets) {
    const [a, b] = [Number(octets[1]), Number(octets[2])];
    return (
      a === 0 ||
      a === 10 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168)
    );
  }
  if (!host.startsWith("[")) return host.endsWith(".localhost") || host.endsWith(".internal");
  // The URL parser has already compressed the address, so prefixes can be matched on its text: "::" starts the
  // unspecified, loopback, IPv4-compatible and IPv4-mapped forms; then unique-local, link-local, site-local,
  // multicast, and the NAT64 and 6to4 prefixes, which embed an IPv4 address.
  const v6 = host.slice(1, -1);
  return v6.startsWith("::") || /^(f[cd]|fe[89a-f]|ff)/.test(v6) || /^64:ff9b:/.test(v6) || /^2002:/.test(v6);
}
