/**
 * Request body limits, in bytes, for any route: a declared Content-Length beyond the limit is refused before
 * the body is read, and a streamed body is cut off as soon as it passes the limit. Both answer 413.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";

/** Middleware refusing bodies over `maxBytes` with 413 (hono's `bodyLimit`, with our error message). */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HTTPException(413, { message: `body must be at most ${maxBytes} bytes` });
    },
  });
}
