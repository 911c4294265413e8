/**
 * The `cursor` of GET /messages: a position in the index's order, opaque and tamper-proof. It is signed with
 * HMAC-SHA256 under a key derived (HKDF) from the configured ADMIN_TOKEN and bound to the query's filters, so a
 * cursor that was altered, made up, or taken to other filters is refused. Removing a token from ADMIN_TOKEN
 * invalidates the cursors signed with it. It carries every shard's position (src/index-db/fan-out.ts): the last
 * message listed, which is where every shard goes on from, and the shards that have nothing after it.
 */
import type { ShardedPosition } from "../index-db/fan-out.ts";

/** Longest cursor accepted: a message id is at most 256 characters, so ours stay far below. */
export const MAX_CURSOR_LENGTH = 2_048;

const KEY_INFO = new TextEncoder().encode("bandwidth-edge-receiver GET /messages cursor v1");
const keys = new Map<string, Promise<CryptoKey>>();

/** The HMAC key of one admin token, derived once per isolate. */
function keyOf(token: string): Promise<CryptoKey> {
  let key = keys.get(token);
  if (!key) {
    key = deriveKey(token);
    // A handful of tokens at most (several only while rotating); never let the cache grow unbounded.
    if (keys.size >= 8) keys.clear();
    keys.set(token, key);
  }
  return key;
}

async function deriveKey(token: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(token), "HKDF", false, [
    "deriveKey",
  ]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: KEY_INFO },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    // Only the one canonical spelling: unused low bits of the last character must not hide an alteration.
    return toBase64Url(bytes) === text ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** What is signed: the version, the filters the cursor belongs to, and the position. */
function signedBytes(scope: string, payload: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(new TextEncoder().encode(`v1\n${scope}\n${payload}`));
}

/**
 * A cursor for `position` within the query whose filters `scope` names, signed with the first of `tokens`
 * (the configured admin tokens).
 */
export async function sealCursor(
  { position, exhausted }: ShardedPosition,
  scope: string,
  tokens: readonly string[],
): Promise<string> {
  const [token] = tokens;
  if (token === undefined) throw new RangeError("sealCursor needs an admin token");
  const payload = toBase64Url(
    new TextEncoder().encode(JSON.stringify([position.time, position.id, exhausted])),
  );
  const mac = await crypto.subtle.sign("HMAC", await keyOf(token), signedBytes(scope, payload));
  return `${payload}.${toBase64Url(new Uint8Array(mac))}`;
}

/**
 * The position a cursor stands for, or undefined when it is not a cursor signed by one of `tokens` for the
 * filters `scope` names (altered, made up, too long, or from another query).
 */
export async function openCursor(
  cursor: string,
  scope: string,
  tokens: readonly string[],
): Promise<ShardedPosition | undefined> {
  if (cursor.length > MAX_CURSOR_LENGTH) return undefined;
  const [payload, signature, extra] = cursor.split(".");
  const mac = signature === undefined || extra !== undefined ? undefined : fromBase64Url(signature);
  if (payload === undefined || !mac || mac.length !== 32) return undefined;
  let verified = false;
  for (const token of tokens) {
    // crypto.subtle.verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", await keyOf(token), mac, signedBytes(scope, payload))) {
      verified = true;
      break;
    }
  }
  return verified ? positionOf(payload) : undefined;
}

function positionOf(payload: string): ShardedPosition | undefined {
  const bytes = fromBase64Url(payload);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    // [time, id, exhausted shards]; a cursor signed before shards ([time, id]) has none exhausted.
    if (
      Array.isArray(value) &&
      (value.length === 2 || value.length === 3) &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string"
    ) {
      const exhausted: unknown = value[2] ?? [];
      if (!Array.isArray(exhausted) || !exhausted.every((name) => typeof name === "string")) return undefined;
      return { position: { time: value[0] as number, id: value[1] }, exhausted: exhausted as string[] };
    }
  } catch {
    // fall through: signed by us, so this cannot happen unless the format changed
  }
  return undefined;
}
