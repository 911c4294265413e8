/**
 * GET /stats: delivery statistics from the D1 index over a range of message times (the last 24 hours unless
 * given), of one application or all, optionally grouped by hour, day, error code, carrier or application.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { validator } from "hono/validator";
import * as v from "valibot";
import { indexShards } from "../index-db/shards.ts";
import { shardedDeliveryStats } from "../index-db/stats.ts";
import { epochMillis } from "../message/index-rows.ts";
import type { AppEnv } from "./app-env.ts";
import { unavailable } from "./index-unavailable.ts";
import { TimeParameterSchema } from "./message-search.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import { requireConfig } from "./middleware/require-config.ts";
import { readQuery } from "./query-parameters.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The longest range, and the longest one grouped by hour (744 groups). */
export const MAX_STATS_DAYS = 366;
export const MAX_HOURLY_DAYS = 31;

/** The groupings of `by`. */
export const STATS_GROUPINGS = ["hour", "day", "errorCode", "carrier", "applicationId"] as const;

/** The query of `GET /stats`. */
export const StatsQuerySchema = v.object({
  since: v.optional(
    v.pipe(TimeParameterSchema, v.description("message time at or after; default: until − 24 h")),
  ),
  until: v.optional(v.pipe(TimeParameterSchema, v.description("message time before; default: now"))),
  applicationId: v.optional(
    v.pipe(v.string(), v.minLength(1), v.maxLength(256), v.description("only this application's messages")),
  ),
  by: v.optional(v.pipe(v.picklist(STATS_GROUPINGS), v.description("how to group the figures"))),
});

const statsQuery = validator("query", (query) => {
  const parsed = readQuery(query, {
    schema: StatsQuerySchema,
    problems: {
      since: "must be an RFC 3339 date-time",
      until: "must be an RFC 3339 date-time",
      applicationId: "must be 1 to 256 characters",
      by: `must be one of ${STATS_GROUPINGS.join(", ")}`,
    },
  });
  const until = parsed.until === undefined ? Date.now() : epochMillis(parsed.until);
  const since = parsed.since === undefined ? until - DAY_MS : epochMillis(parsed.since);
  const problem = rangeProblem(since, until, parsed.by);
  if (problem) throw new HTTPException(400, { message: problem });
  return {
    since,
    until,
    ...(parsed.applicationId === undefined ? {} : { applicationId: parsed.applicationId }),
    ...(parsed.by === undefined ? {} : { by: parsed.by }),
  };
});

function rangeProblem(since: number, until: number, by: string | undefined): string | undefined {
  if (until <= since) return "until must be later than since";
  if (until - since > MAX_STATS_DAYS * DAY_MS)
    return `since and until must be at most ${MAX_STATS_DAYS} days apart`;
  if (by === "hour" && until - since > MAX_HOURLY_DAYS * DAY_MS) {
    return `by=hour covers at most ${MAX_HOURLY_DAYS} days; use by=day`;
  }
  return undefined;
}

/** The statistics route. */
export const stats = new Hono<AppEnv>().use(requireConfig(), requireAdmin()).get("/", statsQuery, async (c) =>
  c.json(
    await shardedDeliveryStats(
      indexShards(c.env).map((shard) => shard.db),
      c.req.valid("query"),
    ).catch(unavailable),
  ),
);
