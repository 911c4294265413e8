/**
 * The configuration every route but /healthz needs: read and validated from the bindings per request, it
 * fails closed with 503 until it is complete.
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { readConfig } from "../../config.ts";
import { log } from "../../log.ts";
import type { AppEnv } from "../app-env.ts";

/**
 * Middleware: 503 (and a log line naming the settings, never their values) until the configuration is
 * complete; then `c.var.config` holds it.
 */
export function requireConfig(): MiddlewareHandler<AppEnv> {
  return async function requireConfig(c, next) {
    const result = readConfig(c.env);
    if (!result.ok) {
      log("error", "configuration_invalid", {
        settings: result.problems.map((p) => `${p.setting} ${p.problem}`).join("; "),
      });
      throw new HTTPException(503, { message: "receiver is not configured; see /healthz" });
    }
    c.set("config", result.config);
    await next();
  };
}
