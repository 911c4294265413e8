/**
 * The one Hono environment type of the app.
 */
import type { Config } from "../config.ts";

/** Bindings and per-request variables of every route; `config` is set by the requireConfig middleware. */
export interface AppEnv {
  Bindings: Env;
  Variables: { config: Config };
}
