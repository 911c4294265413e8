/**
 * The operator's view of everything that could not be forwarded: GET /dead-letters and
 * POST /dead-letters/redeliver (bulk, after an outage, a batch of messages a call).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { validator } from "hono/validator";
import * as v from "valibot";
import { DestinationNameSchema } from "../forward/destination-schema.ts";
import { decodeCursor } from "../message/list-cursor.ts";
import type { AppEnv } from "./app-env.ts";
import { BulkCursorSchema, nextCursorOf, readBulkCursor } from "./bulk-cursor.ts";
import { requireDestination } from "./destination-check.ts";
import { limitAdminBody, readOptionalJson } from "./json-body.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import { requireConfig } from "./middleware/require-config.ts";

/** Entries per page of `GET /dead-letters` when `limit` is absent. */
export const DEFAULT_DEAD_LETTER_PAGE = 100;
/** Most entries per page of `GET /dead-letters`. */
export const MAX_DEAD_LETTER_PAGE = 1000;

const LIMIT_MESSAGE = `limit must be an integer from 1 to ${MAX_DEAD_LETTER_PAGE}`;

/**
 * The query of `GET /dead-letters`, with `limit` as the number it stands for (the OpenAPI document describes
 * it so); {@link deadLetterQuery} turns the query string's text into that input.
 */
export const DeadLetterQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.number(LIMIT_MESSAGE),
      v.integer(LIMIT_MESSAGE),
      v.minValue(1, LIMIT_MESSAGE),
      v.maxValue(MAX_DEAD_LETTER_PAGE, LIMIT_MESSAGE),
      v.description("entries per page"),
    ),
    DEFAULT_DEAD_LETTER_PAGE,
  ),
  cursor: v.optional(v.pipe(v.string(), v.description("the nextCursor of the previous page; opaque"))),
  destination: v.optional(
    v.pipe(DestinationNameSchema, v.description("only this destination's dead events")),
  ),
});

/**
 * Body of POST /dead-letters/redeliver: how many messages to redeliver in this call, and after which (the
 * `nextCursor` of the previous call).
 */
export const BulkRedeliverRequestSchema = v.strictObject({
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
  destination: v.optional(
    v.pipe(
      DestinationNameSchema,
      v.description("only this destination (and removed ones' dead events, moved to it)"),
    ),
  ),
  cursor: BulkCursorSchema,
});

/** The first value of a query parameter (a repeated parameter counts once, as `c.req.query` reads it). */
function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads the query of `GET /dead-letters` (and the `limit` and `cursor` of `GET /quarantine`, which pages the
 * same way): 400 naming the parameter (never echoing its value) for a cursor that is not one of ours, then
 * for a limit out of bounds.
 */
export function readDeadLetterQuery(query: Record<string, string | string[]>) {
  const cursor = first(query.cursor);
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && !after) throw new HTTPException(400, { message: "cursor is not valid" });
  const limit = first(query.limit);
  const result = v.safeParse(DeadLetterQuerySchema, {
    limit: limit === undefined ? undefined : Number(limit),
    cursor,
    destination: first(query.destination),
  });
  if (!result.success) {
    const issue = result.issues[0];
    const name = v.getDotPath(issue);
    throw new HTTPException(400, {
      message: name === "limit" || !name ? issue.message : `${name} ${issue.message}`,
    });
  }
  return { limit: result.output.limit, after, destination: result.output.destination };
}

/** Validates the query of `GET /dead-letters` with {@link readDeadLetterQuery}. */
export const deadLetterQuery = validator("query", readDeadLetterQuery);

/** The dead-letter routes. */
export const deadLetters = new Hono<AppEnv>()
  .use(requireConfig(), requireAdmin())
  .get("/", deadLetterQuery, async (c) => {
    const { limit, after, destination } = c.req.valid("query");
    return c.json(await c.env.DEAD_LETTERS.getByName("global").list(limit, after, destination));
  })
  .post("/redeliver", limitAdminBody, async (c) => {
    const body = await readOptionalJson(c.req.raw, BulkRedeliverRequestSchema, {});
    const { limit = 100, destination } = body;
    const after = readBulkCursor(body.cursor);
    const configured = destination === undefined ? undefined : requireDestination(c.var.config, destination);
    const batch = await c.env.DEAD_LETTERS.getByName("global").messageIds(
      limit,
      after,
      destination,
      configured,
    );
    const results = await Promise.all(
      batch.ids.map((id) => c.env.MESSAGE_TRACKER.getByName(id).redeliver("dead", destination)),
    );
    const redelivered = results.reduce((sum, result) => sum + result.redelivered, 0);
    return c.json({ redelivered, messages: batch.ids.length, ...nextCursorOf(batch) }, 202);
  });
