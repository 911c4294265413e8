/**
 * The one Hono environment type of the app, and the middleware that puts the validated configuration in it.
 */
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { type Config, readConfig } from "../config.ts";
import { log } from "../log.ts";

/** Bindings and per-request variables of every route. */
export interface AppEnv {
  Bindings: Env;
  Variables: { config: Config };
}

/** Fails closed with 503 (and a log line naming the settings, never their values) until configuration is complete. */
export const requireConfig = createMiddleware<AppEnv>(async (c, next) => {
  const result = readConfig(c.env);
  if (!result.ok) {
    log("error", "configuration_invalid", {
      settings: result.problems.map((p) => `${p.setting} ${p.problem}`).join("; "),
    });
    throw new HTTPException(503, { message: "receiver is not configured; see /healthz" });
  }
  c.set("config", result.config);
  await next();
});
