/**
 * Request body limits, in bytes, for any route: a declared Content-Length beyond the limit is refused before
 * the body is read, and a streamed body is cut off as soon as it passes the limit. Both answer 413.
 */
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";

/** Middleware refusing bodies over `maxBytes` with 413. */
export function limitBodyTo(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new HTTPException(413, { message: `body must be at most ${maxBytes} bytes` });
    },
  });
}
