/**
 * Cursors of the lists across messages (dead letters, quarantine): a position, a time and an event id,
 * encoded as opaque text. A cursor that does not decode to a position is refused, never guessed at.
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
