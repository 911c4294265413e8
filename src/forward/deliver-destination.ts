/**
 * One attempt to a destination of either kind: a signed POST to an HTTP destination (deliver.ts), a message on a
 * queue destination's binding (deliver-queue.ts). Both report the same way, so the retry schedule and the outbox
 * treat them alike.
 */
import { type AttemptOptions, type AttemptReport, deliverOnce } from "./deliver.ts";
import { sendToQueue } from "./deliver-queue.ts";
import type { Destination } from "./destination-schema.ts";

/**
 * Sends `body` (the serialized CloudEvent whose id is `eventId`) to `destination` once; never throws. A queue
 * message carries its trace context in the CloudEvent's `traceparent` attribute only.
 */
export async function deliverToDestination(
  destination: Destination,
  env: Env,
  eventId: string,
  body: string,
  options: AttemptOptions = {},
): Promise<AttemptReport> {
  if (destination.kind === "http") return deliverOnce(destination.target, eventId, body, options);
  const queue = (env as unknown as Readonly<Record<string, unknown>>)[destination.queue];
  if (typeof queue !== "object" || queue === null) {
    // The configuration checked the binding; only a deploy that removed it since leads here.
    return { outcome: { kind: "network", error: "no Queues binding of that name" }, latencyMs: 0 };
  }
  return sendToQueue(queue as Queue, body, destination.timeoutMs);
}
