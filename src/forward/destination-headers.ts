/**
 * `DESTINATION_HEADERS_<NAME>`: extra request headers for an HTTP destination (an API gateway's key, a bearer
 * token), given as a secret holding a JSON object of header names and string values. Checked once with the
 * configuration; a problem names the header at most, never a value (the values are secrets).
 */

/** The setting that holds the extra headers of the HTTP destination `name`. */
export function destinationHeadersSetting(name: string): string {
  return `DESTINATION_HEADERS_${name.toUpperCase().replaceAll("-", "_")}`;
}

/** The most extra headers a destination may have: each is sent on every attempt. */
export const MAX_EXTRA_HEADERS = 20;
/** The longest value accepted (Cloudflare's limit on a request's headers is far above a sane token's length). */
const MAX_VALUE_LENGTH = 4096;

/**
 * Headers the receiver sets itself (the request's framing, its content, its signature and its trace context),
 * or that a proxy owns: a secret may not replace them.
 */
export const FORBIDDEN_HEADERS: ReadonlySet<string> = new Set([
  "host",
  "content-length",
  "content-type",
  "content-encoding",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "te",
  "trailer",
  "expect",
  "proxy-connection",
  "user-agent",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "traceparent",
  "tracestate",
]);

/** An HTTP field name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A field value this receiver sends: printable ASCII and tabs, no line breaks, no surrounding spaces. */
const VALUE = /^[\x21-\x7e]([\t\x20-\x7e]*[\x21-\x7e])?$/;

/** The headers (names lower-cased), or the problems found; an unset or empty setting means none. */
export function parseDestinationHeaders(
  raw: unknown,
): { ok: true; headers: Record<string, string> } | { ok: false; problems: string[] } {
  if (raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "")) {
    return { ok: true, headers: {} };
  }
  let value: unknown = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      // JSON.parse's message quotes the text: never repeated.
      return { ok: false, problems: ["is not valid JSON"] };
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, problems: ["must be a JSON object of header names and string values"] };
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_EXTRA_HEADERS) {
    return { ok: false, problems: [`must hold at most ${MAX_EXTRA_HEADERS} headers`] };
  }
  const problems: string[] = [];
  // A Map, not an object: a header named __proto__ or constructor is a name like any other.
  const headers = new Map<string, string>();
  entries.forEach(([name, headerValue], index) => {
    // A name that is not a token could be anything (a value pasted in the wrong place): named by position only.
    if (!TOKEN.test(name)) {
      problems.push(`header ${index + 1}: its name is not a valid HTTP header name`);
      return;
    }
    const lower = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(lower)) {
      problems.push(`header "${lower}": is set by the receiver and cannot be replaced`);
    } else if (headers.has(lower)) {
      problems.push(`header "${lower}": is given twice (header names are case-insensitive)`);
    } else if (typeof headerValue !== "string") {
      problems.push(`header "${lower}": its value must be a string`);
    } else if (headerValue.length > MAX_VALUE_LENGTH || !VALUE.test(headerValue)) {
      problems.push(
        `header "${lower}": its value must be 1 to ${MAX_VALUE_LENGTH} printable ASCII characters, without line breaks or surrounding spaces`,
      );
    } else headers.set(lower, headerValue);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, headers: Object.fromEntries(headers) };
}
