/**
 * The `cursor` of the bulk operations (POST /quarantine/release, POST /dead-letters/redeliver): each call
 * takes the next messages in id order after the last one the previous call took, so messages that stay listed
 * (still invalid, nothing to requeue) are passed rather than taken again by every call.
 */
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";
import { decodeMessageCursor, encodeMessageCursor, type MessageIdBatch } from "../message/list-cursor.ts";

/** The `cursor` of a bulk operation's body. */
export const BulkCursorSchema = v.optional(
  v.pipe(
    v.string(),
    v.description("the nextCursor of the previous call: continue after its messages; opaque"),
  ),
);

/** The message id a body's `cursor` continues after (undefined without one), or a 400 when it is not ours. */
export function readBulkCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const after = decodeMessageCursor(cursor);
  if (after === undefined) throw new HTTPException(400, { message: "cursor is not valid" });
  return after;
}

/** The answer's `nextCursor` when more messages may remain after this batch, else nothing. */
export function nextCursorOf(batch: MessageIdBatch): { nextCursor?: string } {
  return batch.next === undefined ? {} : { nextCursor: encodeMessageCursor(batch.next) };
}
