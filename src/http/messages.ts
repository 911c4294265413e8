/**
 * The operator's view of one message: GET /messages/:id and POST /messages/:id/redeliver.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";
import { MAX_MESSAGE_ID_LENGTH } from "../bandwidth/schema.ts";
import { DestinationNameSchema } from "../forward/destination-schema.ts";
import type { AppEnv } from "./app-env.ts";
import { requireDestination } from "./destination-check.ts";
import { limitAdminBody, readOptionalJson } from "./json-body.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import { requireConfig } from "./middleware/require-config.ts";

/** Body of POST /messages/:id/redeliver: without `all`, only dead events are sent again. */
export const RedeliverRequestSchema = v.strictObject({
  all: v.optional(v.boolean()),
  destination: v.optional(
    v.pipe(
      DestinationNameSchema,
      v.description("only this destination (a removed one's dead events go to it)"),
    ),
  ),
});

function trackerFor(env: Env, id: string) {
  if (id.length === 0 || id.length > MAX_MESSAGE_ID_LENGTH) {
    throw new HTTPException(404, { message: "message not found" });
  }
  return env.MESSAGE_TRACKER.getByName(id);
}

/** The message routes. */
export const messages = new Hono<AppEnv>()
  .use(requireConfig(), requireAdmin())
  .get("/:id", async (c) => {
    const view = await trackerFor(c.env, c.req.param("id")).snapshot();
    if (!view) throw new HTTPException(404, { message: "message not found" });
    return c.json(view);
  })
  .post("/:id/redeliver", limitAdminBody, async (c) => {
    const body = await readOptionalJson(c.req.raw, RedeliverRequestSchema, {});
    if (body.destination !== undefined) requireDestination(c.var.config, body.destination);
    const result = await trackerFor(c.env, c.req.param("id")).redeliver(
      body.all ? "all" : "dead",
      body.destination,
    );
    if (!result.found) throw new HTTPException(404, { message: "message not found" });
    return c.json({ redelivered: result.redelivered }, 202);
  });
