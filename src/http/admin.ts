/**
 * The operator API's guard: a bearer ADMIN_TOKEN, compared in constant time; its answers are never cached.
 */
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env.ts";
import { isAuthorizedAdmin } from "./auth.ts";

/**
 * Answers 401 with a Bearer challenge unless the request carries a valid ADMIN_TOKEN. What the operator API
 * answers holds phone numbers and message state, so no cache along the way may keep it.
 */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (!(await isAuthorizedAdmin(c.req.header("authorization"), c.var.config.adminTokens))) {
    throw new HTTPException(401, {
      message: "bearer token required",
      res: new Response(null, { headers: { "www-authenticate": 'Bearer realm="operator"' } }),
    });
  }
  await next();
  c.header("cache-control", "no-store");
});
