/**
 * POST /callbacks/messaging: Bandwidth's callback URL. Challenge → content type → size → parse → validate →
 * store per message (invalid events with a usable envelope held in quarantine, unless INVALID_EVENTS=reject);
 * 200 only once every event is durable.
 */
import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { type CallbackIssue, invalidIssues, readCallbackBody } from "../bandwidth/parse.ts";
import { log } from "../log.ts";
import type { IngestItem } from "../message/accept.ts";
import { eventIdOf } from "../message/event-id.ts";
import { acceptanceTrace, parseTraceparent, randomHexId } from "../message/trace-context.ts";
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
    const read = readCallbackBody(await c.req.text());
    if (!read.ok) return rejected(c, read.error, read.issues);
    if (c.var.config.invalidEvents === "reject") {
      const issues = invalidIssues(read.events);
      if (issues.length > 0) return rejected(c, "invalid event", issues);
    }
    // The request's events share its trace (the caller's, when it sent a valid traceparent), each with a span.
    const traceId = parseTraceparent(c.req.header("traceparent"))?.traceId ?? randomHexId(16);
    const byMessage = new Map<string, Array<{ index: number; item: IngestItem }>>();
    for (const [index, checked] of read.events.entries()) {
      const envelope = checked.valid ? checked.event : checked.raw;
      const eventId = await eventIdOf(envelope);
      const item: IngestItem = checked.valid
        ? { eventId, valid: true, event: checked.event, trace: acceptanceTrace(traceId) }
        : { eventId, valid: false, raw: checked.raw, issues: checked.issues };
      const group = byMessage.get(envelope.message.id) ?? [];
      group.push({ index, item });
      byMessage.set(envelope.message.id, group);
    }
    const answer = { accepted: 0, duplicates: 0, quarantined: 0, issues: [] as CallbackIssue[] };
    try {
      // One RPC per message; the batch is not one transaction across messages (DESIGN.md), retries are safe.
      const groups = [...byMessage];
      const results = await Promise.all(
        groups.map(([id, group]) =>
          c.env.MESSAGE_TRACKER.getByName(id).ingest(group.map(({ item }) => item)),
        ),
      );
      results.forEach((result, g) => {
        answer.accepted += result.accepted;
        answer.duplicates += result.duplicates;
        answer.quarantined += result.quarantined;
        for (const { position, ...issue } of result.issues) {
          answer.issues.push({ index: groups[g]?.[1][position]?.index ?? position, ...issue });
        }
      });
    } catch (error) {
      log("error", "store_failed", { error: String(error).slice(0, 200), messages: byMessage.size });
      throw new HTTPException(503, { message: "storage unavailable; retry" });
    }
    if (answer.quarantined === 0) return c.json({ accepted: answer.accepted, duplicates: answer.duplicates });
    answer.issues.sort((a, b) => a.index - b.index);
    log("warn", "callback_quarantined", { quarantined: answer.quarantined, issues: answer.issues.length });
    return c.json(answer);
  },
);

function rejected(c: Context<AppEnv>, error: string, issues: CallbackIssue[]) {
  log("warn", "callback_rejected", { error, issues: issues.length });
  return c.json({ error, issues }, 400);
}
