/**
 * Authentication at the edge: Bandwidth's Basic challenge for callbacks, a bearer token for the operator API.
 * Both are decided from headers alone, before any body is read.
 */
import type { Credentials } from "../config.ts";
import { matchesAny, secretsEqual } from "./constant-time.ts";

/** The realm Bandwidth sees in the challenge. */
export const CALLBACK_REALM = "bandwidth-callbacks";

/** The `WWW-Authenticate` challenge of the callback URL (RFC 7617, with the charset the credentials use). */
export const CALLBACK_CHALLENGE = `Basic realm="${CALLBACK_REALM}", charset="UTF-8"`;

/** The `WWW-Authenticate` challenge of the operator API. */
export const ADMIN_CHALLENGE = 'Bearer realm="operator"';

/** Splits a Basic `Authorization` header into its username and password, or undefined if it is not one. */
export function parseBasicAuthorization(header: string | undefined): Credentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  let decoded: string;
  try {
    const bytes = Uint8Array.from(atob(match[1]), (char) => char.charCodeAt(0));
    decoded = new TextDecoder().decode(bytes);
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Whether the header carries one of the accepted credentials; every pair is compared in constant time. */
export async function isAuthorizedCallback(
  header: string | undefined,
  accepted: readonly Credentials[],
): Promise<boolean> {
  const given = parseBasicAuthorization(header) ?? { username: "", password: "" };
  const checks = await Promise.all(
    accepted.map(async (pair) => {
      const [user, password] = await Promise.all([
        secretsEqual(given.username, pair.username),
        secretsEqual(given.password, pair.password),
      ]);
      return user && password;
    }),
  );
  return checks.includes(true) && header !== undefined;
}

/** Whether the header is `Bearer <one of the tokens>`, compared in constant time. */
export async function isAuthorizedAdmin(
  header: string | undefined,
  tokens: readonly string[],
): Promise<boolean> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return (await matchesAny(match?.[1] ?? "", tokens)) && match !== null;
}
