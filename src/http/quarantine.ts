/**
 * The operator's view of the events held in quarantine: GET /quarantine (across messages, oldest first) and
 * POST /quarantine/release (re-validate with the current schemas, after a deploy that fixed them; one
 * message, or a batch of messages a call).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { validator } from "hono/validator";
import * as v from "valibot";
import { MessageIdSchema } from "../bandwidth/schema.ts";
import { encodeCursor } from "../message/list-cursor.ts";
import { mergeMessageIds, mergePages, quarantineShards } from "../message/quarantine-list.ts";
import type { AppEnv } from "./app-env.ts";
import { BulkCursorSchema, nextCursorOf, readBulkCursor } from "./bulk-cursor.ts";
import { readDeadLetterQuery } from "./dead-letters.ts";
import { limitAdminBody, readOptionalJson } from "./json-body.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import { requireConfig } from "./middleware/require-config.ts";

/**
 * Body of POST /quarantine/release: one message, or up to `limit` messages with held events, after those of
 * the previous call (its `nextCursor`).
 */
export const ReleaseRequestSchema = v.strictObject({
  messageId: v.optional(MessageIdSchema),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
  cursor: BulkCursorSchema,
});

/**
 * Validates the query of GET /quarantine: the page of GET /dead-letters (`limit` and an opaque `cursor`), but
 * its `destination` is refused rather than ignored, as held events belong to no destination.
 */
const quarantineQuery = validator("query", (query) => {
  if (Object.hasOwn(query, "destination")) {
    throw new HTTPException(400, { message: "destination is not supported by GET /quarantine" });
  }
  const { limit, after } = readDeadLetterQuery(query);
  return { limit, after };
});

/** The quarantine routes. */
export const quarantine = new Hono<AppEnv>()
  .use(requireConfig(), requireAdmin())
  .get("/", quarantineQuery, async (c) => {
    const { limit, after } = c.req.valid("query");
    const pages = await Promise.all(
      quarantineShards().map((shard) => c.env.QUARANTINE_LIST.getByName(shard).list(limit, after)),
    );
    const page = mergePages(pages, limit);
    return c.json({
      items: page.items.map(({ at, ...entry }) => ({ ...entry, quarantinedAt: new Date(at).toISOString() })),
      total: page.total,
      ...(page.next ? { nextCursor: encodeCursor(page.next) } : {}),
    });
  })
  .post("/release", limitAdminBody, async (c) => {
    const body = await readOptionalJson(c.req.raw, ReleaseRequestSchema, {});
    const after = readBulkCursor(body.cursor);
    if (body.messageId !== undefined) {
      if (after !== undefined)
        throw new HTTPException(400, { message: "cursor cannot be given with messageId" });
      if (body.limit !== undefined)
        throw new HTTPException(400, { message: "limit cannot be given with messageId" });
      const result = await c.env.MESSAGE_TRACKER.getByName(body.messageId).releaseQuarantine();
      if (!result.found) throw new HTTPException(404, { message: "no quarantined events for this message" });
      return c.json({ released: result.released, remaining: result.remaining, messages: 1 });
    }
    const limit = body.limit ?? 100;
    const shards = quarantineShards().map((shard) => c.env.QUARANTINE_LIST.getByName(shard));
    // One more id than taken from each shard tells whether any shard has messages beyond this batch.
    const batch = mergeMessageIds(
      await Promise.all(shards.map((shard) => shard.messageIds(limit + 1, after))),
      limit,
    );
    const results = await Promise.all(
      batch.ids.map((id) => c.env.MESSAGE_TRACKER.getByName(id).releaseQuarantine()),
    );
    // The released messages brought their shards up to date before answering, so the count is current.
    const pages = await Promise.all(shards.map((shard) => shard.list(0)));
    return c.json({
      released: results.reduce((sum, result) => sum + result.released, 0),
      remaining: pages.reduce((sum, page) => sum + page.total, 0),
      messages: batch.ids.length,
      ...nextCursorOf(batch),
    });
  });
