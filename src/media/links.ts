/**
 * Signed links to media copies: `/media/<messageId>/<n>/<name>?exp=<unix seconds>&sig=<base64url>`, where
 * `sig` is HMAC-SHA256 with MEDIA_LINK_SECRET over the link's parts and its expiry. The signature is the
 * credential: whoever holds the link may fetch that one file until it expires. Verification is WebCrypto's
 * `verify`, which compares in constant time.
 */

/** Which file a link points at. */
export interface MediaLinkTarget {
  messageId: string;
  n: number;
  name: string;
}

/** What signing needs: the secret, how long a link holds, and (optionally) the receiver's public origin. */
export interface MediaLinkSigning {
  secret: string;
  ttlMs: number;
  publicUrl?: string;
}

/** What checking a link found. */
export type LinkVerdict = "valid" | "invalid" | "expired";

const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    // Few secrets ever exist (one, two while rotating); the bound only guards against misuse.
    if (keys.size > 8) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

/** The signed text: unambiguous whatever the id holds. */
function signedText(target: MediaLinkTarget, exp: number): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(["media-link-v1", target.messageId.toWellFormed(), target.n, target.name, exp]),
  );
}

/** The link's path, without the query. */
export function mediaLinkPath(target: MediaLinkTarget): string {
  return `/media/${encodeURIComponent(target.messageId.toWellFormed())}/${target.n}/${encodeURIComponent(target.name)}`;
}

/** A link valid `ttlMs` from `now`: absolute when a public origin is set, else root-relative. */
export async function signMediaLink(
  target: MediaLinkTarget,
  signing: MediaLinkSigning,
  now: number,
): Promise<string> {
  const exp = Math.floor((now + signing.ttlMs) / 1000);
  const signature = await crypto.subtle.sign("HMAC", await keyFor(signing.secret), signedText(target, exp));
  const query = `exp=${exp}&sig=${toBase64Url(new Uint8Array(signature))}`;
  return `${signing.publicUrl ?? ""}${mediaLinkPath(target)}?${query}`;
}

/** Whether `exp` and `sig` (from the query) make a valid, unexpired link to `target`. */
export async function verifyMediaLink(
  target: MediaLinkTarget,
  exp: string | undefined,
  sig: string | undefined,
  secret: string,
  now: number,
): Promise<LinkVerdict> {
  if (!exp || !/^\d{1,12}$/.test(exp) || !sig || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return "invalid";
  const signature = fromBase64Url(sig);
  if (!signature) return "invalid";
  const expiry = Number(exp);
  const valid = await crypto.subtle.verify(
    "HMAC",
    await keyFor(secret),
    signature,
    signedText(target, expiry),
  );
  if (!valid) return "invalid";
  return now >= expiry * 1000 ? "expired" : "valid";
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | undefined {
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}
