/**
 * valibot schemas of the operator API's query parameters, for the OpenAPI document. The route parses them by
 * hand; a test checks that the bounds written here are the ones it enforces.
 */
import * as v from "valibot";

/** Entries per page of `GET /dead-letters` when `limit` is absent. */
export const DEFAULT_DEAD_LETTER_PAGE = 100;
/** Most entries per page of `GET /dead-letters`. */
export const MAX_DEAD_LETTER_PAGE = 1000;

/** The query of `GET /dead-letters`. */
export const DeadLetterQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.maxValue(MAX_DEAD_LETTER_PAGE),
      v.description("entries per page"),
    ),
    DEFAULT_DEAD_LETTER_PAGE,
  ),
  cursor: v.optional(v.pipe(v.string(), v.description("the nextCursor of the previous page; opaque"))),
});
