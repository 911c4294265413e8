/**
 * One attempt to a Queues destination: the CloudEvent as the message body (JSON, so a consumer reads
 * `message.body.type`), unsigned: only this Worker can write to its queue. The report has the shape of an HTTP
 * attempt's, so that the retry schedule and the outbox treat both kinds alike: a send the queue accepted is a
 * `202`, a send that throws (the queue is unavailable, the message is refused) a network error that is
 * retried, and a send that outlasts `timeoutMs` a timeout.
 */
import type { AttemptReport } from "./deliver.ts";

/** The status an accepted send reports: the message is queued, as a 202 says of a request. */
export const QUEUED_STATUS = 202;

/** Sends `body` (a serialized CloudEvent) to `queue` once; never throws. */
export async function sendToQueue(queue: Queue, body: string, timeoutMs = 10_000): Promise<AttemptReport> {
  const started = Date.now();
  let expire: () => void = () => {};
  const timedOut = new Promise<"timeout">((resolve) => {
    expire = () => resolve("timeout");
  });
  const timer = setTimeout(() => expire(), timeoutMs);
  try {
    const sent = (async () => {
      await queue.send(JSON.parse(body), { contentType: "json" });
      return "sent" as const;
    })();
    // A send still running at the timeout is abandoned; a later failure of it is of no interest.
    sent.catch(() => {});
    const result = await Promise.race([sent, timedOut]);
    const latencyMs = Date.now() - started;
    if (result === "timeout") return { outcome: { kind: "timeout" }, latencyMs };
    return { outcome: { kind: "response", status: QUEUED_STATUS, retryAfter: null }, latencyMs };
  } catch (error) {
    return { outcome: { kind: "network", error: errorText(error) }, latencyMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 200) : "unknown error";
}
