/**
 * What the operator routes over the D1 index answer when the index fails: 503 (retry later), logged by
 * operation, never a stack trace.
 */
import { HTTPException } from "hono/http-exception";
import { IndexError } from "../index-db/index-error.ts";
import { log } from "../log.ts";

/** Rethrows an IndexError as a 503 (after a log line naming the operation); anything else as it is. */
export function unavailable(error: unknown): never {
  if (error instanceof IndexError) {
    log("error", "index_unavailable", { operation: error.operation });
    throw new HTTPException(503, { message: "message index unavailable; retry later" });
  }
  throw error;
}
