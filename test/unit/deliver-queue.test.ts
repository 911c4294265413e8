/**
 * One attempt to a Queues destination, against a fake producer binding: the CloudEvent arrives as a JSON body,
 * an accepted send is a delivery, a thrown or hanging send an outcome the retry schedule retries; it never
 * throws.
 */
import { describe, expect, it } from "vitest";
import { QUEUED_STATUS, sendToQueue } from "../../src/forward/deliver-queue.ts";
import { classifyAttempt } from "../../src/forward/retry.ts";

interface Sent {
  body: unknown;
  options: QueueSendOptions | undefined;
}

/** A Queues producer binding that records what it is sent, or behaves as `send` says. */
function fakeQueue(send?: () => Promise<void>): { queue: Queue; sent: Sent[] } {
  const sent: Sent[] = [];
  const queue = {
    async send(body: unknown, options?: QueueSendOptions) {
      if (send) await send();
      sent.push({ body, options });
    },
    async sendBatch() {
      throw new Error("not used");
    },
  } as unknown as Queue;
  return { queue, sent };
}

const cloudEvent = {
  specversion: "1.0",
  id: "evt-1",
  type: "com.bandwidth.message.delivered",
  data: { a: 1 },
};
const body = JSON.stringify(cloudEvent);

describe("sendToQueue", () => {
  it("sends the CloudEvent as a JSON message body and reports a delivery", async () => {
    const { queue, sent } = fakeQueue();
    const report = await sendToQueue(queue, body);
    expect(sent).toEqual([{ body: cloudEvent, options: { contentType: "json" } }]);
    expect(report.outcome).toEqual({ kind: "response", status: QUEUED_STATUS, retryAfter: null });
    expect(classifyAttempt(report.outcome)).toBe("delivered");
    expect(report.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("reports a send that throws as a network error, which is retried", async () => {
    const { queue } = fakeQueue(async () => {
      throw new Error("Queue send failed: queue is overloaded");
    });
    const report = await sendToQueue(queue, body);
    expect(report.outcome).toEqual({
      kind: "network",
      error: "Error: Queue send failed: queue is overloaded",
    });
    expect(classifyAttempt(report.outcome)).toBe("retry");
  });

  it("reports a send that outlasts the timeout as a timeout, which is retried", async () => {
    const { queue, sent } = fakeQueue(() => new Promise(() => {}));
    const report = await sendToQueue(queue, body, 50);
    expect(report.outcome).toEqual({ kind: "timeout" });
    expect(classifyAttempt(report.outcome)).toBe("retry");
    expect(report.latencyMs).toBeGreaterThanOrEqual(45);
    expect(sent).toEqual([]);
  });

  it("never throws, even for a binding whose send is not a function", async () => {
    const report = await sendToQueue({} as Queue, body);
    expect(report.outcome.kind).toBe("network");
  });
});
