/**
 * The content type of a JSON route: anything but `application/json` (parameters such as charset allowed)
 * is refused with 415 before the body is read. (hono's `validator("json", …)` would instead skip a body of
 * another type and validate `{}`.)
 */
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";

/** Middleware: 415 unless the request's media type is `application/json`. */
export function requireJson(): MiddlewareHandler {
  return async function requireJson(c, next) {
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      throw new HTTPException(415, { message: "content-type must be application/json" });
    }
    await next();
  };
}
