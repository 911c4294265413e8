/**
 * The example queue consumer (examples/queue-consumer/) inside workerd: its EventSequencer deduplicates, holds an
 * event until its predecessors arrive, gives up on a gap after GAP_WAIT_SECONDS (its alarm) and flags a late
 * event; its queue() handler acknowledges what was stored and retries what failed.
 */
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { QueuedEvent } from "../../examples/queue-consumer/src/cloud-event.ts";
import worker, { type ConsumerEnv, retryDelaySeconds } from "../../examples/queue-consumer/src/index.ts";
import { waitFor } from "../../harness/wait.ts";

// This suite runs the consumer's wrangler.toml: its bindings, not the receiver's Env.
const consumerEnv = env as unknown as ConsumerEnv;
let subjects = 0;

function newSubject(): string {
  subjects += 1;
  return `consumer-${Date.now().toString(36)}-${subjects}`;
}

/** The receiver's CloudEvent for event `sequence` of message `subject`, as the queue message body carries it. */
function cloudEvent(subject: string, sequence: number) {
  return {
    specversion: "1.0",
    id: `evt_${subject}_${sequence}`,
    source: "/bandwidth/messaging/applications/93de2206-9669-4e07-948d-329f4b722ee2",
    type: "com.bandwidth.message.delivered",
    subject,
    time: "2024-09-14T18:20:16Z",
    sequence: String(sequence),
    datacontenttype: "application/json",
    data: { messageId: subject, event: "delivered", status: "delivered" },
  };
}

/** The same event as the EventSequencer's RPC takes it (after the queue handler's parse). */
function queued(subject: string, sequence: number): QueuedEvent {
  return { ...cloudEvent(subject, sequence), sequence } as QueuedEvent;
}

function processedOrder(view: { processed: Array<{ sequence: number | null; late: boolean }> }) {
  return view.processed.map((event) => [event.sequence, event.late]);
}

describe("EventSequencer", () => {
  it("holds an event until the one before it arrives, then processes both in sequence order", async () => {
    const subject = newSubject();
    const sequencer = consumerEnv.EVENT_SEQUENCER.getByName(subject);
    expect(await sequencer.receive(queued(subject, 2))).toBe("held");
    expect(await sequencer.receive(queued(subject, 3))).toBe("held");
    expect((await sequencer.view()).processed).toEqual([]);
    expect(await sequencer.receive(queued(subject, 1))).toBe("processed");
    const view = await sequencer.view();
    expect(processedOrder(view)).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(view.processed.map((event) => event.position)).toEqual([1, 2, 3]);
    expect(view.held).toEqual([]);
  });

  it("does not process an event id twice", async () => {
    const subject = newSubject();
    const sequencer = consumerEnv.EVENT_SEQUENCER.getByName(subject);
    expect(await sequencer.receive(queued(subject, 1))).toBe("processed");
    expect(await sequencer.receive(queued(subject, 1))).toBe("duplicate");
    expect(await sequencer.receive(queued(subject, 3))).toBe("held");
    expect(await sequencer.receive(queued(subject, 3))).toBe("duplicate");
    expect((await sequencer.view()).processed).toHaveLength(1);
  });

  it("gives up on a gap after GAP_WAIT_SECONDS and processes a missing event that comes later as late", async () => {
    const subject = newSubject();
    const sequencer = consumerEnv.EVENT_SEQUENCER.getByName(subject);
    expect(await sequencer.receive(queued(subject, 1))).toBe("processed");
    expect(await sequencer.receive(queued(subject, 3))).toBe("held");
    expect(await sequencer.receive(queued(subject, 4))).toBe("held");
    // An alarm before the wait is over processes nothing (and is armed again).
    expect(await runDurableObjectAlarm(sequencer)).toBe(true);
    expect((await sequencer.view()).held).toHaveLength(2);
    // The object's own alarm, one GAP_WAIT_SECONDS after 3 arrived, gives up on 2.
    await waitFor(
      async () => (await sequencer.view()).held.length === 0,
      5_000,
      "the alarm to release 3 and 4",
    );
    expect(processedOrder(await sequencer.view())).toEqual([
      [1, false],
      [3, false],
      [4, false],
    ]);
    expect(await sequencer.receive(queued(subject, 2))).toBe("late");
    const view = await sequencer.view();
    expect(processedOrder(view).at(-1)).toEqual([2, true]);
    expect(view.held).toEqual([]);
    // Nothing held, nothing to wake up for.
    expect(await runDurableObjectAlarm(sequencer)).toBe(false);
  });

  it("processes an event without a sequence (an operator event) at once", async () => {
    const subject = newSubject();
    const sequencer = consumerEnv.EVENT_SEQUENCER.getByName(subject);
    const { sequence: _, ...operatorEvent } = queued(subject, 1);
    expect(await sequencer.receive(operatorEvent as QueuedEvent)).toBe("processed");
    expect(processedOrder(await sequencer.view())).toEqual([[null, false]]);
  });
});

describe("queue()", () => {
  const message = (id: string, body: unknown, attempts = 1) => ({
    id,
    timestamp: Date.now(),
    attempts,
    body,
  });

  it("acknowledges each message once its event is stored, in or out of order", async () => {
    const subject = newSubject();
    const batch = createMessageBatch("bandwidth-events", [
      message("q2", cloudEvent(subject, 2)),
      message("q1", cloudEvent(subject, 1)),
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, consumerEnv);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["q1", "q2"]);
    expect(result.retryMessages).toEqual([]);
    const view = await consumerEnv.EVENT_SEQUENCER.getByName(subject).view();
    expect(processedOrder(view)).toEqual([
      [1, false],
      [2, false],
    ]);
  });

  it("acknowledges (drops) a body that is not a CloudEvent of the receiver: no retry would change it", async () => {
    const batch = createMessageBatch("bandwidth-events", [message("bad", { hello: "world" })]);
    const ctx = createExecutionContext();
    await worker.queue(batch, consumerEnv);
    expect(await getQueueResult(batch, ctx)).toMatchObject({ explicitAcks: ["bad"], retryMessages: [] });
  });

  it("retries a message with backoff when its message's object fails", async () => {
    const failing = {
      ...consumerEnv,
      EVENT_SEQUENCER: {
        getByName: () => ({
          receive: () => Promise.reject(new Error("storage unavailable")),
        }),
      },
    } as unknown as ConsumerEnv;
    const subject = newSubject();
    const batch = createMessageBatch("bandwidth-events", [message("q1", cloudEvent(subject, 1), 3)]);
    const ctx = createExecutionContext();
    await worker.queue(batch, failing);
    // getQueueResult does not report the retry's delaySeconds; retryDelaySeconds is checked below.
    expect(await getQueueResult(batch, ctx)).toMatchObject({
      explicitAcks: [],
      retryMessages: [{ msgId: "q1" }],
    });
  });

  it("waits 1, 2, 4 … seconds before a retry, at most 60", () => {
    expect([1, 2, 3, 4, 7, 8, 50].map(retryDelaySeconds)).toEqual([1, 2, 4, 8, 60, 60, 60]);
  });
});
