/**
 * GET /healthz: unauthenticated liveness, the version, and whether the configuration is complete. Names the
 * settings that are wrong, never their values.
 */
import { Hono } from "hono";
import packageJson from "../../package.json" with { type: "json" };
import { readConfig } from "../config.ts";
import type { AppEnv } from "./app-env.ts";

/** The health route. */
export const health = new Hono<AppEnv>().get("/", (c) => {
  const config = readConfig(c.env);
  return c.json({
    status: "ok",
    version: packageJson.version,
    configured: config.ok,
    problems: config.ok ? [] : config.problems,
  });
});
