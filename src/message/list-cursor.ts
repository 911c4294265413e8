/**
 * Cursors of the lists across messages (dead letters, quarantine): a position, a time and an event id, and
 * the bulk operations' cursor, the last message id a batch took; both encoded as opaque text. A cursor that
 * does not decode to one is refused, never guessed at.
 */

/** A position in a list ordered by time, then event id: the entry held at `[0]` with id `[1]`. */
export type ListPosition = [number, string];

/** Encodes a position as an opaque cursor. */
export function encodeCursor(position: ListPosition): string {
  return btoa(JSON.stringify(position));
}

/** Decodes a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): ListPosition | undefined {
  try {
    const value: unknown = JSON.parse(atob(cursor));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === "string"
    ) {
      return [value[0] as number, value[1]];
    }
  } catch {
    // fall through: not a cursor
  }
  return undefined;
}

/** A batch of message ids for a bulk operation, in id order, and the last id taken when more remain. */
export interface MessageIdBatch {
  ids: string[];
  next?: string;
}

/**
 * The batch of the first `limit` of `ids` (in id order, read one past `limit`): `next`, the last id taken, when
 * more remain.
 */
export function batchOf(ids: readonly string[], limit: number): MessageIdBatch {
  const taken = ids.slice(0, limit);
  const last = taken.at(-1);
  return { ids: taken, ...(ids.length > limit && last !== undefined ? { next: last } : {}) };
}

/** Encodes the last message id a bulk operation took as an opaque cursor. */
export function encodeMessageCursor(messageId: string): string {
  // A message id may hold any character and btoa takes Latin-1 only, so its UTF-8 bytes are encoded.
  const bytes = new TextEncoder().encode(JSON.stringify({ after: messageId }));
  return btoa(String.fromCharCode(...bytes));
}

/** Decodes a bulk operation's cursor to the message id it continues after, or undefined when it is not ours. */
export function decodeMessageCursor(cursor: string): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(cursor), (char) => char.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    const after = typeof value === "object" && value !== null && "after" in value ? value.after : undefined;
    // Only the spelling encodeMessageCursor gives: no other keys, bytes or padding ride along.
    if (typeof after === "string" && after !== "" && encodeMessageCursor(after) === cursor) return after;
  } catch {
    // fall through: not a cursor
  }
  return undefined;
}
