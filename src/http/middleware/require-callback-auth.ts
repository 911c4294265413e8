/**
 * Bandwidth's Basic challenge on the callback URL, decided from the Authorization header alone, before the
 * body is read: one of the configured credential pairs (two while rotating), every pair compared in constant
 * time; or nothing at all when ALLOW_UNAUTHENTICATED_CALLBACKS is set.
 *
 * Not hono's `basicAuth` (hono/basic-auth), which does not meet the callback contract: its challenge is
 * `Basic realm="…"` without the `charset="UTF-8"` parameter (RFC 7617) that we send and document; its
 * credential pairs are fixed when the middleware is created, while ours come from the per-request
 * configuration (and may be switched off); it stops comparing at the first matching pair; and its 401
 * carries no message for `app.onError`.
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.ts";
import { CALLBACK_CHALLENGE, isAuthorizedCallback } from "../auth.ts";

/** Middleware: 401 with the Basic challenge unless the request carries accepted callback credentials. */
export function requireCallbackAuth(): MiddlewareHandler<AppEnv> {
  return async function requireCallbackAuth(c, next) {
    const auth = c.var.config.callbackAuth;
    if (
      auth.mode === "basic" &&
      !(await isAuthorizedCallback(c.req.header("authorization"), auth.credentials))
    ) {
      throw new HTTPException(401, {
        message: "authentication required",
        res: new Response(null, { headers: { "www-authenticate": CALLBACK_CHALLENGE } }),
      });
    }
    await next();
  };
}
