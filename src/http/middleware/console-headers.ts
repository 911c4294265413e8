/**
 * The security headers of the operator console's page and files: a Content-Security-Policy that allows only
 * the console's own scripts, styles and API calls (no inline script or style, no HTML sinks), no framing, no
 * MIME sniffing and no Referer.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env.ts";

/**
 * The console's Content-Security-Policy. `require-trusted-types-for 'script'` with `trusted-types 'none'` makes
 * the browser refuse any HTML string given to innerHTML and its kin, so the page can only build elements and
 * text nodes; `form-action 'none'` keeps a form that scripts failed to take over from sending its fields.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join("; ");

/** Every header the console's responses carry, whatever their status. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONSOLE_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
  "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

/** Middleware: sets {@link CONSOLE_HEADERS} on whatever the console's routes answer (assets included). */
export function consoleHeaders(): MiddlewareHandler<AppEnv> {
  return async function consoleHeaders(c, next) {
    await next();
    // An asset's response comes from a fetch and has immutable headers: copy it before setting them.
    const response = new Response(c.res.body, c.res);
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) response.headers.set(name, value);
    c.res = undefined;
    c.res = response;
  };
}
