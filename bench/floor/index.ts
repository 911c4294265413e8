/**
 * The bench's floor Worker: the least work this job can do, with the receiver's own pieces. Hono; Basic
 * credentials checked as the receiver checks them; the body parsed with the receiver's valibot parse; per event
 * one Durable Object (named by `message.id`) that writes one SQLite row (INSERT OR IGNORE by event id), answers,
 * and then POSTs one signed event (Standard Webhooks, the receiver's signing) to the downstream without delaying
 * the answer. No retries, no state, no index. Metered like the receiver when BENCH_METERING is "on".
 */
import { DurableObject } from "cloudflare:workers";
import { Hono } from "hono";
import { parseCallbackBody } from "../../src/bandwidth/parse.ts";
import { signWebhook } from "../../src/forward/sign.ts";
import { isAuthorizedCallback } from "../../src/http/auth.ts";
import { eventIdOf } from "../../src/message/event-id.ts";
import { meterObjectClasses } from "../../src/metering/objects.ts";
import { meteredWorker } from "../../src/metering/worker.ts";

/** The floor's bindings (all given by the bench as `--var`s, except the namespace). */
interface FloorEnv {
  FLOOR_EVENT: DurableObjectNamespace<FloorEvent>;
  CALLBACK_USERNAME: string;
  CALLBACK_PASSWORD: string;
  DOWNSTREAM_URL: string;
  DOWNSTREAM_SECRET: string;
  ADMIN_TOKEN?: string;
  BENCH_METERING?: string;
}

/** One message's events: one row per event id. */
export class FloorEvent extends DurableObject<FloorEnv> {
  constructor(ctx: DurableObjectState, env: FloorEnv) {
    super(ctx, env);
    // WITHOUT ROWID: the key is the row, so an insert is one row written, not a row and an index entry.
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS events (id TEXT PRIMARY KEY) WITHOUT ROWID");
  }

  /** Stores the event once; a new one is forwarded after the answer. Returns whether it was new. */
  async record(eventId: string, body: string): Promise<boolean> {
    const fresh =
      this.ctx.storage.sql.exec("INSERT OR IGNORE INTO events (id) VALUES (?)", eventId).rowsWritten > 0;
    if (fresh) this.ctx.waitUntil(this.forward(eventId, body));
    return fresh;
  }

  private async forward(id: string, body: string): Promise<void> {
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(this.env.DOWNSTREAM_URL, {
        method: "POST",
        headers: {
          "content-type": "application/cloudevents+json",
          "webhook-id": id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": await signWebhook([this.env.DOWNSTREAM_SECRET], id, timestamp, body),
        },
        body,
      });
      await response.body?.cancel();
    } catch {
      // the floor does not retry: a lost forward shows as `lost` in the bench
    }
  }
}

meterObjectClasses({ FloorEvent });

const app = new Hono<{ Bindings: FloorEnv }>()
  .get("/", (c) => c.json({ ok: true }))
  .post("/callbacks/messaging", async (c) => {
    const credentials = [{ username: c.env.CALLBACK_USERNAME, password: c.env.CALLBACK_PASSWORD }];
    if (!(await isAuthorizedCallback(c.req.header("authorization"), credentials))) {
      return c.json({ error: "unauthorized" }, 401);
    }
    const parsed = parseCallbackBody(await c.req.text());
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    const fresh = await Promise.all(
      parsed.events.map(async (event) => {
        const id = await eventIdOf(event);
        // The fields the bench's downstream and lag matching read, in a CloudEvent's shape.
        const body = JSON.stringify({
          specversion: "1.0",
          id,
          source: "/bandwidth/messaging",
          type: `com.bandwidth.${event.type}`,
          subject: event.message.id,
          time: event.time,
          sequence: "1",
          data: { messageId: event.message.id, bandwidthType: event.type, recipient: event.to },
        });
        return c.env.FLOOR_EVENT.getByName(event.message.id).record(id, body);
      }),
    );
    const accepted = fresh.filter(Boolean).length;
    return c.json({ accepted, duplicates: fresh.length - accepted });
  });

export default meteredWorker(app) satisfies ExportedHandler<FloorEnv>;
