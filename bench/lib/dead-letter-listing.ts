/**
 * `GET /dead-letters` as the mass dead-lettering scenario reads it: the page's shape (the fields it matches on),
 * and the listing matched against the events sent, by message id and Bandwidth type. Pure.
 */
import * as v from "valibot";

/** The most entries `GET /dead-letters` returns per page (src/http/dead-letters.ts MAX_DEAD_LETTER_PAGE). */
export const DEAD_LETTER_PAGE_LIMIT = 1000;

/** One entry of a `GET /dead-letters` page: the fields the bench matches on (the answer has more). */
export const ListedDeadLetterSchema = v.looseObject({
  eventId: v.string(),
  destination: v.string(),
  messageId: v.string(),
  type: v.string(),
});

/** One page of `GET /dead-letters`; `nextCursor` is absent on the last page. */
export const DeadLetterListPageSchema = v.looseObject({
  items: v.array(ListedDeadLetterSchema),
  total: v.number(),
  nextCursor: v.optional(v.string()),
});

export type ListedDeadLetter = v.InferOutput<typeof ListedDeadLetterSchema>;
export type DeadLetterListPage = v.InferOutput<typeof DeadLetterListPageSchema>;

/**
 * Identifies a dead event by its message id and Bandwidth type: the scenario sends one event per message, so
 * the pair is unique without knowing the receiver's event ids.
 */
export function deadLetterKey(messageId: string, type: string): string {
  return `${messageId} ${type}`;
}

/** How a listing compares with the events sent. */
export interface ListingMatch {
  /** Events sent that the listing has. */
  listed: number;
  /** Events sent that it lacks. */
  missing: number;
  /** A few missing keys, in the order they were sent. */
  missingSample: string[];
  /** Entries that match no event sent (another destination's, or not this run's). */
  unexpected: number;
}

/** Compares the entries listed with the keys ({@link deadLetterKey}) of the events sent; `sample` bounds the sample. */
export function matchListing(
  sent: readonly string[],
  items: readonly Pick<ListedDeadLetter, "messageId" | "type">[],
  sample = 5,
): ListingMatch {
  const seen = new Set(items.map((item) => deadLetterKey(item.messageId, item.type)));
  const expected = new Set(sent);
  const missingKeys = [...expected].filter((key) => !seen.has(key));
  const unexpected = [...seen].filter((key) => !expected.has(key)).length;
  return {
    listed: expected.size - missingKeys.length,
    missing: missingKeys.length,
    missingSample: missingKeys.slice(0, sample),
    unexpected,
  };
}
