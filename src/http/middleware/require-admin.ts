/**
 * The operator API's guard: a bearer ADMIN_TOKEN (several while rotating), compared in constant time, decided
 * from the Authorization header alone; its answers are never cached.
 *
 * Not hono's `bearerAuth` (hono/bearer-auth), which does not meet the operator API's contract: it answers a
 * malformed Authorization header with 400 and a wrong token with a different challenge
 * (`error="invalid_token"`), where the contract (and the OpenAPI document) is one 401 with
 * `Bearer realm="operator"` for a missing, malformed or wrong token; it accepts only token68 characters,
 * while ADMIN_TOKEN may hold any non-space ones; its token list is fixed when the middleware is created,
 * while ours comes from the per-request configuration; and its 401 carries no message for `app.onError`.
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env.ts";
import { ADMIN_CHALLENGE, isAuthorizedAdmin } from "../auth.ts";

/**
 * Middleware: 401 with a Bearer challenge unless the request carries a valid ADMIN_TOKEN. What the operator
 * API answers holds phone numbers and message state, so no cache along the way may keep it.
 */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async function requireAdmin(c, next) {
    if (!(await isAuthorizedAdmin(c.req.header("authorization"), c.var.config.adminTokens))) {
      throw new HTTPException(401, {
        message: "bearer token required",
        res: new Response(null, { headers: { "www-authenticate": ADMIN_CHALLENGE } }),
      });
    }
    await next();
    c.header("cache-control", "no-store");
  };
}
