/**
 * LOG_LEVEL for the Worker's own lines: the configuration is read (which applies its level, src/config.ts) before
 * any route runs, those without `requireConfig` included. A broken configuration is left to `requireConfig`.
 */
import type { MiddlewareHandler } from "hono";
import { readConfig } from "../../config.ts";
import type { AppEnv } from "../app-env.ts";

/** Middleware: applies LOG_LEVEL to this isolate's log lines, then hands on. */
export function applyLogLevel(): MiddlewareHandler<AppEnv> {
  return async function applyLogLevel(c, next) {
    readConfig(c.env);
    await next();
  };
}
