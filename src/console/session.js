// @ts-check
/**
 * The admin token for this tab only: kept in sessionStorage under `adminToken` (gone when the tab closes),
 * read by api.js for the Authorization header and nowhere else.
 */

/** The sessionStorage key of the admin token. */
export const TOKEN_KEY = "adminToken";

/** The token this tab signed in with, or undefined. */
export function readToken() {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** Keeps `token` for this tab. @param {string} token */
export function writeToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** Forgets the token (sign-out, or the receiver refused it). */
export function clearToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}
