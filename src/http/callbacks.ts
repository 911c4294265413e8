/**
 * POST /callbacks/messaging: Bandwidth's callback URL. Challenge → content type → size → parse → validate →
 * store per message; 200 only once every event is durable.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { parseCallbackBody } from "../bandwidth/parse.ts";
import { log } from "../log.ts";
import { eventIdOf } from "../message/event-id.ts";
import type { IdentifiedEvent } from "../message/status.ts";
import { type AppEnv, requireConfig } from "./app-env.ts";
import { CALLBACK_REALM, isAuthorizedCallback } from "./auth.ts";
import { limitBodyTo } from "./body-limit.ts";

/** Largest body accepted; Bandwidth's events are about 1 KiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

const challenge = createMiddleware<AppEnv>(async (c, next) => {
  const auth = c.var.config.callbackAuth;
  if (
    auth.mode === "basic" &&
    !(await isAuthorizedCallback(c.req.header("authorization"), auth.credentials))
  ) {
    throw new HTTPException(401, {
      message: "authentication required",
      res: new Response(null, {
        headers: { "www-authenticate": `Basic realm="${CALLBACK_REALM}", charset="UTF-8"` },
      }),
    });
  }
  await next();
});

const requireJson = createMiddleware<AppEnv>(async (c, next) => {
  const mediaType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new HTTPException(415, { message: "content-type must be application/json" });
  }
  await next();
});

const limitBody = limitBodyTo(MAX_BODY_BYTES);

/** The callback routes. */
export const callbacks = new Hono<AppEnv>().post(
  "/messaging",
  requireConfig,
  challenge,
  requireJson,
  limitBody,
  async (c) => {
    const parsed = parseCallbackBody(await c.req.text());
    if (!parsed.ok) {
      log("warn", "callback_rejected", { error: parsed.error, issues: parsed.issues.length });
      return c.json({ error: parsed.error, issues: parsed.issues }, 400);
    }
    const byMessage = new Map<string, IdentifiedEvent[]>();
    for (const event of parsed.events) {
      const group = byMessage.get(event.message.id) ?? [];
      group.push({ eventId: await eventIdOf(event), event });
      byMessage.set(event.message.id, group);
    }
    let accepted = 0;
    let duplicates = 0;
    try {
      // One RPC per message; the batch is not one transaction across messages (DESIGN.md), retries are safe.
      const results = await Promise.all(
        [...byMessage].map(([id, batch]) => c.env.MESSAGE_TRACKER.getByName(id).ingest(batch)),
      );
      for (const result of results) {
        accepted += result.accepted;
        duplicates += result.duplicates;
      }
    } catch (error) {
      log("error", "store_failed", { error: String(error).slice(0, 200), messages: byMessage.size });
      throw new HTTPException(503, { message: "storage unavailable; retry" });
    }
    return c.json({ accepted, duplicates });
  },
);
