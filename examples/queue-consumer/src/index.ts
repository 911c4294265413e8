/**
 * An example consumer of the receiver's queue destination. Each queue message is one CloudEvent; the message's
 * EventSequencer (one Durable Object per CloudEvent `subject`) deduplicates it on `id` and processes the
 * message's events in `sequence` order. A queue message is acknowledged once its event is stored in that object
 * and retried with backoff when storing it failed. `GET /messages/:subject` lists what was processed, for the
 * demo and the end-to-end test only.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { QueuedEventSchema } from "./cloud-event.ts";
import type { EventSequencer, SequencerEnv } from "./event-sequencer.ts";

export { EventSequencer } from "./event-sequencer.ts";

/** The consumer's bindings (wrangler.toml beside src/). */
export interface ConsumerEnv extends SequencerEnv {
  EVENT_SEQUENCER: DurableObjectNamespace<EventSequencer>;
}

/** Seconds before a failed message is delivered again: 1, 2, 4, … up to 60. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1));
}

function log(level: "info" | "warn" | "error", fields: Record<string, unknown>): void {
  console[level](JSON.stringify({ level, ...fields }));
}

/** Hands one queue message to its message's EventSequencer, then acknowledges or retries it. */
async function consume(message: Message<unknown>, env: ConsumerEnv): Promise<void> {
  const parsed = v.safeParse(QueuedEventSchema, message.body);
  if (!parsed.success) {
    // Not one of the receiver's CloudEvents: no retry can change that. Dropped with a log line (with a
    // dead_letter_queue configured, message.retry() until max_retries would keep it there instead).
    const paths = parsed.issues.map((issue) => v.getDotPath(issue) ?? "(body)");
    log("error", { event: "queue_message_invalid", queueMessageId: message.id, paths });
    message.ack();
    return;
  }
  const event = parsed.output;
  const fields = {
    eventId: event.id,
    subject: event.subject,
    sequence: event.sequence,
    attempts: message.attempts,
  };
  try {
    const outcome = await env.EVENT_SEQUENCER.getByName(event.subject).receive(event);
    log("info", { event: "queue_message", ...fields, outcome });
    message.ack();
  } catch (error) {
    const delaySeconds = retryDelaySeconds(message.attempts);
    log("warn", { event: "queue_message", ...fields, outcome: "retry", delaySeconds, error: String(error) });
    message.retry({ delaySeconds });
  }
}

const app = new Hono<{ Bindings: ConsumerEnv }>();

// For the demo and the end-to-end test only: unauthenticated, so leave it out of a deployed consumer.
app.get("/messages/:subject", async (c) => {
  const subject = c.req.param("subject");
  return c.json({ subject, ...(await c.env.EVENT_SEQUENCER.getByName(subject).view()) });
});

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    await Promise.all(batch.messages.map((message) => consume(message, env)));
  },
} satisfies ExportedHandler<ConsumerEnv>;
