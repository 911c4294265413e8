/**
 * Standard Webhooks signature verification, written independently of src/ with node:crypto, so that the
 * end-to-end tests check the receiver's signatures against a second implementation.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** Why a signature was rejected, or `ok`. */
export type SignatureVerdict =
  | "ok"
  | "missing-headers"
  | "bad-secret"
  | "bad-timestamp"
  | "stale-timestamp"
  | "no-v1-signature"
  | "mismatch";

/** The three Standard Webhooks headers, as received. */
export interface WebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** How far `webhook-timestamp` may be from the verifier's clock, per the Standard Webhooks default. */
export const TIMESTAMP_TOLERANCE_S = 300;

function secretBytes(secret: string): Buffer | undefined {
  if (!secret.startsWith("whsec_")) return undefined;
  const encoded = secret.slice("whsec_".length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined;
  const bytes = Buffer.from(encoded, "base64");
  return bytes.length > 0 ? bytes : undefined;
}

/**
 * Verifies `webhook-signature` (space-separated `v1,<base64>` entries; any one may match) over
 * `id.timestamp.body` with the base64-decoded secret after `whsec_`, comparing in constant time, and checks
 * that the timestamp is within {@link TIMESTAMP_TOLERANCE_S} of `nowMs`.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: WebhookHeaders,
  body: Buffer,
  nowMs: number = Date.now(),
): SignatureVerdict {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return "missing-headers";
  const key = secretBytes(secret);
  if (!key) return "bad-secret";
  if (!/^\d{1,12}$/.test(timestamp)) return "bad-timestamp";
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) return "stale-timestamp";
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
  const candidates = signature
    .split(" ")
    .filter((entry) => entry.startsWith("v1,"))
    .map((entry) => Buffer.from(entry.slice(3), "base64"));
  if (candidates.length === 0) return "no-v1-signature";
  // Every candidate is compared (no early exit) so the time taken does not depend on which one matched.
  let matched = false;
  for (const candidate of candidates) {
    const sameLength = candidate.length === expected.length;
    const equal = timingSafeEqual(sameLength ? candidate : expected, expected) && sameLength;
    matched = matched || equal;
  }
  return matched ? "ok" : "mismatch";
}
