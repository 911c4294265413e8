/**
 * POST /callbacks/messaging: Bandwidth's callback URL. Challenge → content type → size → parse → validate →
 * store per message; 200 only once every event is durable.
 */
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { parseCallbackBody } from "../bandwidth/parse.ts";
import { log } from "../log.ts";
import { eventIdOf } from "../message/event-id.ts";
import type { IdentifiedEvent } from "../message/status.ts";
import type { AppEnv } from "./app-env.ts";
import { limitBody } from "./middleware/body-limit.ts";
import { requireCallbackAuth } from "./middleware/require-callback-auth.ts";
import { requireConfig } from "./middleware/require-config.ts";
import { requireJson } from "./middleware/require-json.ts";

/** Largest body accepted; Bandwidth's events are about 1 KiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The callback routes. */
export const callbacks = new Hono<AppEnv>().post(
  "/messaging",
  requireConfig(),
  requireCallbackAuth(),
  requireJson(),
  limitBody(MAX_BODY_BYTES),
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
