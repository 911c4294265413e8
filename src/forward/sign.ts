/**
 * Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`, one per secret.
 */

const PREFIX = "whsec_";

/** Whether `secret` is a Standard Webhooks secret: `whsec_` followed by non-empty base64. */
export function isWebhookSecret(secret: string): boolean {
  return secret.startsWith(PREFIX) && decodeSecret(secret) !== undefined;
}

function decodeSecret(secret: string): Uint8Array | undefined {
  if (!secret.startsWith(PREFIX)) return undefined;
  const encoded = secret.slice(PREFIX.length);
  if (encoded === "" || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  try {
    return Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function toBase64(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

/** Imported signing keys by secret: importing costs more than signing, and the secrets rarely change. */
const keys = new Map<string, Promise<CryptoKey>>();
/** More secrets than any rotation needs; past it the cache starts over rather than growing. */
const MAX_CACHED_KEYS = 16;

function signingKey(secret: string): Promise<CryptoKey> {
  const cached = keys.get(secret);
  if (cached) return cached;
  const raw = decodeSecret(secret);
  if (!raw) throw new TypeError("signing secret is not a whsec_ base64 secret");
  const key = crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  if (keys.size >= MAX_CACHED_KEYS) keys.clear();
  keys.set(secret, key);
  // A failed import is not kept, so that the next attempt tries again.
  key.catch(() => keys.delete(secret));
  return key;
}

/**
 * The `webhook-signature` header value: one `v1,<base64>` per secret, space-separated, so that a consumer
 * holding either the old or the new secret verifies during a rotation.
 */
export async function signWebhook(
  secrets: readonly string[],
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const content = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const signatures = await Promise.all(
    secrets.map(async (secret) => {
      const key = await signingKey(secret);
      return `v1,${toBase64(await crypto.subtle.sign("HMAC", key, content))}`;
    }),
  );
  return signatures.join(" ");
}
