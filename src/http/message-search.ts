/**
 * GET /messages: message summaries from the D1 index, newest first, filtered, in keyset pages with a signed
 * cursor. The index follows each message's Durable Object within seconds; GET /messages/:id is the truth.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { validator } from "hono/validator";
import * as v from "valibot";
import { isRfc3339 } from "../bandwidth/time.ts";
import { searchShards } from "../index-db/fan-out.ts";
import type { MessageFilter } from "../index-db/filter.ts";
import { indexShards } from "../index-db/shards.ts";
import { epochMillis } from "../message/index-rows.ts";
import type { AppEnv } from "./app-env.ts";
import { unavailable } from "./index-unavailable.ts";
import { requireAdmin } from "./middleware/require-admin.ts";
import { requireConfig } from "./middleware/require-config.ts";
import { readQuery } from "./query-parameters.ts";
import { openCursor, sealCursor } from "./search-cursor.ts";

/** Summaries per page when `limit` is absent, and at most. */
export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 500;

/** The statuses a message summary can have. */
export const SUMMARY_STATUSES = [
  "sending",
  "sent",
  "delivered",
  "failed",
  "read",
  "received",
  "suggestion-response",
  "location-response",
  "unknown",
  "mixed",
] as const;

const Text = (description: string) =>
  v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(256), v.description(description)));

/** An RFC 3339 date-time query parameter. */
export const TimeParameterSchema = v.pipe(
  v.string(),
  v.check(isRfc3339),
  v.description("RFC 3339 date-time"),
);

/**
 * The query of `GET /messages`, with numbers as the numbers they stand for (the query string's digits are read
 * by {@link readQuery}).
 */
export const MessageSearchQuerySchema = v.object({
  status: v.optional(v.pipe(v.picklist(SUMMARY_STATUSES), v.description("the message's status"))),
  direction: v.optional(v.picklist(["inbound", "outbound"])),
  applicationId: Text("the Bandwidth application id"),
  from: Text("message.from, exactly"),
  to: Text("any recipient (message.to), exactly"),
  tag: Text("message.tag, exactly"),
  reconciliation: v.optional(
    v.pipe(v.literal("given-up"), v.description("only messages reconciliation gave up on")),
  ),
  forwarding: v.optional(
    v.pipe(v.literal("unrouted"), v.description("only messages with an event no destination's filter took")),
  ),
  errorCode: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(0),
      v.maxValue(99_999),
      v.description("a failed recipient's code"),
    ),
  ),
  since: v.optional(v.pipe(TimeParameterSchema, v.description("message time at or after (RFC 3339)"))),
  until: v.optional(v.pipe(TimeParameterSchema, v.description("message time before (RFC 3339)"))),
  limit: v.optional(
    v.pipe(
      v.number(),
      v.integer(),
      v.minValue(1),
      v.maxValue(MAX_SEARCH_LIMIT),
      v.description("summaries per page"),
    ),
    DEFAULT_SEARCH_LIMIT,
  ),
  cursor: v.optional(
    v.pipe(v.string(), v.description("nextCursor of the previous page, with the same filters; opaque")),
  ),
});

const TEXT_PROBLEM = "must be 1 to 256 characters";

const searchQuery = validator("query", async (query, c) => {
  const parsed = readQuery(query, {
    schema: MessageSearchQuerySchema,
    numbers: ["errorCode", "limit"],
    problems: {
      status: `must be one of ${SUMMARY_STATUSES.join(", ")}`,
      direction: "must be inbound or outbound",
      applicationId: TEXT_PROBLEM,
      from: TEXT_PROBLEM,
      to: TEXT_PROBLEM,
      tag: TEXT_PROBLEM,
      reconciliation: "must be given-up",
      forwarding: "must be unrouted",
      errorCode: "must be an integer from 0 to 99999",
      since: "must be an RFC 3339 date-time",
      until: "must be an RFC 3339 date-time",
      limit: `must be an integer from 1 to ${MAX_SEARCH_LIMIT}`,
      cursor: "is not valid",
    },
  });
  const { limit, cursor, since, until, ...fields } = parsed;
  const filter: MessageFilter = {
    ...fields,
    ...(since === undefined ? {} : { since: epochMillis(since) }),
    ...(until === undefined ? {} : { until: epochMillis(until) }),
  };
  if (filter.since !== undefined && filter.until !== undefined && filter.until <= filter.since) {
    throw new HTTPException(400, { message: "until must be later than since" });
  }
  const scope = filterScope(filter);
  const after = cursor === undefined ? undefined : await openCursor(cursor, scope, c.var.config.adminTokens);
  if (cursor !== undefined && !after) {
    throw new HTTPException(400, {
      message: "cursor is not valid (altered, expired by a token rotation, or for other filters)",
    });
  }
  return { filter, scope, limit, after };
});

/** The filters a cursor is bound to, in a fixed order (a cursor's signature covers them: never reorder). */
const SCOPE_FILTERS = [
  "status",
  "direction",
  "applicationId",
  "from",
  "to",
  "tag",
  "errorCode",
  "since",
  "until",
  "reconciliation",
  "forwarding",
] as const satisfies readonly (keyof MessageFilter)[];

/** The filters a cursor is bound to, as one string. */
function filterScope(filter: MessageFilter): string {
  return JSON.stringify(SCOPE_FILTERS.map((name) => filter[name]));
}

/** The search route, mounted at /messages before the routes of one message. */
export const messageSearch = new Hono<AppEnv>().get(
  "/",
  requireConfig(),
  requireAdmin(),
  searchQuery,
  async (c) => {
    const { filter, scope, limit, after } = c.req.valid("query");
    const page = await Promise.resolve()
      .then(() => searchShards(indexShards(c.env), filter, { limit, ...(after ? { after } : {}) }))
      .catch(unavailable);
    const nextCursor = page.next ? await sealCursor(page.next, scope, c.var.config.adminTokens) : null;
    return c.json({ messages: page.messages, nextCursor });
  },
);
