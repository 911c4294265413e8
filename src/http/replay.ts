/**
 * POST /replay: forwards again every event of the messages that match a search filter to one destination,
 * same ids, in sequence order per message; answers with how many messages and events that is (`dryRun`: only
 * that), and works through them in bounded batches from a ReplayJob object. GET /replay/:id: its progress.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import * as v from "valibot";
import { DestinationNameSchema } from "../forward/destination-schema.ts";
import { countShards } from "../index-db/fan-out.ts";
import type { MessageFilter } from "../index-db/filter.ts";
import { indexShards } from "../index-db/shards.ts";
import { epochMillis } from "../message/index-rows.ts";
import type { AppEnv } from "./app-env.ts";
import { requireDestination } from "./destination-check.ts";
import { unavailable } from "./index-unavailable.ts";
import { limitAdminBody, readOptionalJson } from "./json-body.ts";
import { MessageSearchQuerySchema } from "./message-search.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import { requireConfig } from "./middleware/require-config.ts";

const { limit: _limit, cursor: _cursor, ...FILTER_ENTRIES } = MessageSearchQuerySchema.entries;

/** The messages to replay: the filters of GET /messages (no paging). */
export const ReplayFilterSchema = v.strictObject(FILTER_ENTRIES);

/** Body of POST /replay. */
export const ReplayRequestSchema = v.strictObject({
  filter: v.optional(ReplayFilterSchema, {}),
  destination: DestinationNameSchema,
  dryRun: v.optional(v.pipe(v.boolean(), v.description("count only: nothing is sent"))),
});

/** A replay job's id: a UUID the route chose. */
const ReplayIdSchema = v.pipe(v.string(), v.uuid());

/** The replay routes. */
export const replay = new Hono<AppEnv>()
  .use(requireConfig(), requireAdmin())
  .post("/", limitAdminBody, async (c) => {
    const body = await readOptionalJson(c.req.raw, v.optional(ReplayRequestSchema), undefined);
    if (!body) throw new HTTPException(400, { message: "body is required: {filter, destination, dryRun?}" });
    requireDestination(c.var.config, body.destination);
    const filter = toMessageFilter(body.filter);
    const counts = await Promise.resolve()
      .then(() => countShards(indexShards(c.env), filter))
      .catch(unavailable);
    if (body.dryRun) return c.json({ ...counts, dryRun: true });
    const id = crypto.randomUUID();
    await c.env.REPLAY_JOB.getByName(id).start(filter, body.destination);
    return c.json({ ...counts, replayId: id }, 202);
  })
  .get("/:id", async (c) => {
    const id = v.safeParse(ReplayIdSchema, c.req.param("id"));
    const progress = id.success ? await c.env.REPLAY_JOB.getByName(id.output).progress() : null;
    if (!progress) throw new HTTPException(404, { message: "replay not found" });
    return c.json(progress);
  });

function toMessageFilter(filter: v.InferOutput<typeof ReplayFilterSchema>): MessageFilter {
  const { since, until, ...fields } = filter;
  const result: MessageFilter = {
    ...fields,
    ...(since === undefined ? {} : { since: epochMillis(since) }),
    ...(until === undefined ? {} : { until: epochMillis(until) }),
  };
  if (result.since !== undefined && result.until !== undefined && result.until <= result.since) {
    throw new HTTPException(400, { message: "filter.until must be later than filter.since" });
  }
  return result;
}
