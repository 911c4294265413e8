/**
 * Where a media copy lives in R2 and under which name it is served: `media/<message>/<n>/<name>`, with `n`
 * the file's position in `message.media` (0-based) and `name` the last segment of Bandwidth's URL, reduced
 * to characters safe in a key, a URL path and a Content-Disposition header. The limits of a copy, too.
 */

/** Most files copied per message; further URLs are listed with an error. */
export const MAX_MEDIA_FILES = 10;
/** Largest file copied: 5 MiB. */
export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;
/** Longest name kept. */
const MAX_NAME_LENGTH = 100;

/** The name a copy is served under: the URL's last path segment, safe characters only, never empty. */
export function mediaFileName(url: string, n: number): string {
  let segment = "";
  try {
    segment = new URL(url).pathname.split("/").at(-1) ?? "";
    segment = decodeURIComponent(segment);
  } catch {
    // An unreadable URL or segment keeps the fallback name; the copy itself will report the URL.
  }
  const safe = segment
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._]+/, "")
    .slice(0, MAX_NAME_LENGTH);
  return safe === "" ? `file-${n}` : safe;
}

/** Whether `name` is a name {@link mediaFileName} can give (what the media route accepts). */
export function isMediaFileName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && /^[A-Za-z0-9-][A-Za-z0-9._-]*$/.test(name);
}

/**
 * The key prefix of a message's copies. Bandwidth's ids (letters, digits, `-`) are used as they are; any
 * other id, which R2's 1,024-byte keys or a path could not hold safely, by its SHA-256 (marked with `~`).
 */
export async function mediaPrefix(messageId: string): Promise<string> {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(messageId)) return `media/${messageId}/`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(messageId.toWellFormed()));
  return `media/~${hex(new Uint8Array(digest))}/`;
}

/** The R2 key of file `n` of a message. */
export async function mediaKey(messageId: string, n: number, name: string): Promise<string> {
  return `${await mediaPrefix(messageId)}${n}/${name}`;
}

/** Lower-case hex of bytes. */
export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
