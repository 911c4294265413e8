/**
 * The operator's view of everything that could not be forwarded: GET /dead-letters and
 * POST /dead-letters/redeliver (bulk, after an outage).
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";
import { decodeCursor } from "../message/list-cursor.ts";
import { requireAdmin } from "./admin.ts";
import { type AppEnv, requireConfig } from "./app-env.ts";
import { limitAdminBody, readOptionalJson } from "./json-body.ts";

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/** Body of POST /dead-letters/redeliver: how many messages to redeliver in this call. */
export const BulkRedeliverRequestSchema = v.strictObject({
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
});

function pageSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PAGE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw new HTTPException(400, { message: `limit must be an integer from 1 to ${MAX_PAGE}` });
  }
  return n;
}

/** The dead-letter routes. */
export const deadLetters = new Hono<AppEnv>()
  .use(requireConfig, requireAdmin)
  .get("/", async (c) => {
    const cursor = c.req.query("cursor");
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !after) throw new HTTPException(400, { message: "cursor is not valid" });
    const index = c.env.DEAD_LETTERS.getByName("global");
    return c.json(await index.list(pageSize(c.req.query("limit")), after));
  })
  .post("/redeliver", limitAdminBody, async (c) => {
    const { limit = 100 } = await readOptionalJson(c.req.raw, BulkRedeliverRequestSchema, {});
    const ids = await c.env.DEAD_LETTERS.getByName("global").messageIds(limit);
    const results = await Promise.all(ids.map((id) => c.env.MESSAGE_TRACKER.getByName(id).redeliver("dead")));
    const redelivered = results.reduce((sum, result) => sum + result.redelivered, 0);
    return c.json({ redelivered, messages: ids.length }, 202);
  });
