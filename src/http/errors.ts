/**
 * The one place HTTP failures become responses: `{"error": "..."}` bodies, never stack traces.
 */
import type { ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { log } from "../log.ts";
import type { AppEnv } from "./app-env.ts";

/** Maps thrown errors to JSON responses; unexpected ones are logged by name and answered 500. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof HTTPException) {
    const response = error.getResponse();
    const headers = new Headers(response.headers);
    headers.set("content-type", "application/json");
    return new Response(JSON.stringify({ error: error.message || "error" }), {
      status: error.status,
      headers,
    });
  }
  log("error", "unhandled_error", { name: error.name, path: c.req.path });
  return c.json({ error: "internal error" }, 500);
};
