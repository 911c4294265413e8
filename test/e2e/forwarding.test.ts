/**
 * End to end through `wrangler dev` and a real downstream: the seed callback, retries through an outage,
 * Retry-After, and an ack that never waits for the downstream.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../harness/wait.ts";
import { newMessageId, outboundLifecycle, statusEvent } from "../helpers/events.ts";
import { AckSchema } from "./harness/answers.ts";
import { allEventsIn, getMessage } from "./harness/api.ts";
import { postCallback } from "./harness/client.ts";
import { deliveryCounts, firstDeliveries, outOfOrder, sequences } from "./harness/ordering.ts";
import { seedExamples } from "./harness/seeds.ts";
import { useStack } from "./harness/stack.ts";

const current = useStack();

describe("the seed callback", () => {
  it("is acknowledged, tracks the recipient as delivered and reaches the downstream signed as com.bandwidth.message.delivered", async () => {
    const { receiver, downstream } = current();
    const [example] = seedExamples("message-delivered-event");
    const [event] = v.parse(
      v.tuple([
        v.looseObject({
          to: v.string(),
          time: v.string(),
          message: v.looseObject({ id: v.string(), applicationId: v.string() }),
        }),
      ]),
      example,
    );
    const id = event.message.id;

    const ack = await postCallback(receiver, [event]);
    expect(ack.status).toBe(200);
    expect(v.parse(AckSchema, ack.body)).toEqual({ accepted: 1, duplicates: 0 });

    const view = await getMessage(receiver, id);
    expect(view?.direction).toBe("outbound");
    expect(view?.status).toBe("delivered");
    expect(view?.recipients).toEqual([expect.objectContaining({ recipient: event.to, status: "delivered" })]);

    const [delivery] = await waitFor(
      () => downstream.deliveredFor(id).length > 0 && downstream.forSubject(id),
      15_000,
    );
    expect(delivery?.signature).toBe("ok");
    expect(delivery?.method).toBe("POST");
    expect(delivery?.path).toBe("/events");
    expect(delivery?.headers["content-type"]).toBe("application/cloudevents+json");
    expect(delivery?.headers["webhook-id"]).toBe(delivery?.event?.id);
    expect(delivery?.event).toMatchObject({
      specversion: "1.0",
      type: "com.bandwidth.message.delivered",
      subject: id,
      time: event.time,
      sequence: "1",
      data: { messageId: id, event: "delivered", status: "delivered", recipient: event.to },
    });
    expect(delivery?.event?.source).toContain(event.message.applicationId);

    const forwarded = await waitFor(async () => {
      const latest = await getMessage(receiver, id);
      return allEventsIn(latest, "delivered") && latest;
    }, 10_000);
    expect(forwarded.events).toEqual([
      expect.objectContaining({
        id: delivery?.event?.id,
        sequence: 1,
        forwarding: { default: expect.objectContaining({ attempts: 1 }) },
      }),
    ]);

    // Bandwidth retries: the same event again is a duplicate and is not forwarded a second time.
    const retry = await postCallback(receiver, [event]);
    expect(v.parse(AckSchema, retry.body)).toEqual({ accepted: 0, duplicates: 1 });
    // The positive signal that the message's outbox ran after the retry: a new event behind it is delivered.
    const later = statusEvent("message-read", {
      id,
      time: new Date(Date.parse(event.time) + 1_000).toISOString(),
    });
    expect(v.parse(AckSchema, (await postCallback(receiver, [later])).body)).toEqual({
      accepted: 1,
      duplicates: 0,
    });
    await waitFor(() => downstream.deliveredFor(id).length >= 2, 15_000, "the event after the retry");
    // Had the retry been stored, it would have gone out as sequence 2, before the read event.
    const deliveries = downstream.forSubject(id);
    expect(deliveries.map((d) => [d.event?.type, d.event?.sequence])).toEqual([
      ["com.bandwidth.message.delivered", "1"],
      ["com.bandwidth.message.read", "2"],
    ]);
    expect(deliveries[0]?.event?.id).toBe(delivery?.event?.id);
  });
});

describe("a downstream outage", () => {
  it("delivers every event of every message, each message strictly in sequence order, once the downstream recovers", async () => {
    const { receiver, downstream } = current();
    const outageEnds = Date.now() + 3_000;
    const ids = [1, 2, 3, 4].map(() => newMessageId("e2e-outage"));
    for (const id of ids) {
      downstream.behave(id, () => (Date.now() < outageEnds ? { status: 503 } : { status: 200 }));
    }

    // Bandwidth sends one event per callback; interleave the messages as real traffic would.
    let accepted = 0;
    const lifecycles = ids.map(outboundLifecycle);
    for (let step = 0; step < 3; step++) {
      for (const lifecycle of lifecycles) {
        const ack = await postCallback(receiver, [lifecycle[step] ?? {}]);
        expect(ack.status).toBe(200);
        accepted += v.parse(AckSchema, ack.body).accepted;
      }
    }
    expect(accepted).toBe(12);

    const views = await Promise.all(ids.map((id) => getMessage(receiver, id)));
    const acceptedIds = new Map(ids.map((id, index) => [id, views[index]?.events.map((e) => e.id) ?? []]));
    for (const eventIds of acceptedIds.values()) expect(eventIds).toHaveLength(3);

    await waitFor(() => ids.every((id) => firstDeliveries(downstream.forSubject(id)).length === 3), 30_000, {
      describe: () =>
        ids.map((id) => `${id}: ${firstDeliveries(downstream.forSubject(id)).length}/3`).join(", "),
    });

    for (const id of ids) {
      const requests = downstream.forSubject(id);
      // The outage was real for this message: it saw 503s before its first success.
      expect(requests[0]?.answered).toBe(503);
      expect(requests.every((request) => request.signature === "ok")).toBe(true);
      const firsts = firstDeliveries(requests);
      expect(sequences(firsts)).toEqual([1, 2, 3]);
      expect(firsts.map((request) => request.event?.type)).toEqual([
        "com.bandwidth.message.sending",
        "com.bandwidth.message.sent",
        "com.bandwidth.message.delivered",
      ]);
      expect(new Set(firsts.map((request) => request.event?.id))).toEqual(new Set(acceptedIds.get(id)));
      expect(outOfOrder(requests)).toEqual([]);
      expect([...deliveryCounts(requests).values()]).toEqual([1, 1, 1]);
      // Retries of one event carry the same CloudEvent id and sequence.
      for (const request of requests) {
        const first = firsts.find((delivered) => delivered.event?.id === request.event?.id);
        expect(request.event?.sequence).toBe(first?.event?.sequence);
      }
    }

    const final = await waitFor(async () => {
      const latest = await Promise.all(ids.map((id) => getMessage(receiver, id)));
      return latest.every((view) => allEventsIn(view, "delivered")) && latest;
    }, 10_000);
    expect(final.map((view) => view?.status)).toEqual(["delivered", "delivered", "delivered", "delivered"]);
  });
});

describe("Retry-After", () => {
  it("makes the next attempt wait at least the 5 s a 429 asked for", async () => {
    const { receiver, downstream } = current();
    const id = newMessageId("e2e-retry-after");
    downstream.behave(id, (_request, count) =>
      count === 1 ? { status: 429, headers: { "retry-after": "5" } } : { status: 200 },
    );

    const ack = await postCallback(receiver, [statusEvent("message-sending", { id })]);
    expect(ack.status).toBe(200);

    await waitFor(() => downstream.deliveredFor(id).length === 1, 20_000);
    const [throttled, retried, ...rest] = downstream.forSubject(id);
    expect(rest).toEqual([]);
    expect(throttled?.answered).toBe(429);
    expect(retried?.answered).toBe(200);
    expect(retried?.event?.id).toBe(throttled?.event?.id);
    expect(retried?.attempt).toBe(2);
    const gap = (retried?.receivedAt ?? 0) - (throttled?.receivedAt ?? 0);
    expect(gap).toBeGreaterThanOrEqual(5_000);
    // Honoured, not merely outlasted: with 200 ms base backoff nothing else would wait this long.
    expect(gap).toBeLessThan(15_000);

    const view = await waitFor(async () => {
      const latest = await getMessage(receiver, id);
      return allEventsIn(latest, "delivered") && latest;
    }, 5_000);
    expect(view.events[0]?.forwarding.default?.attempts).toBe(2);
  });
});

describe("a hanging downstream", () => {
  it("does not slow the acknowledgement, while its forwarding attempts time out and are retried", async () => {
    const { receiver, downstream } = current();
    const id = newMessageId("e2e-hang");
    let hanging = true;
    downstream.behave(id, () => (hanging ? { hang: true } : { status: 200 }));

    const first = await postCallback(receiver, [statusEvent("message-sending", { id, step: 0 })]);
    expect(first.status).toBe(200);
    expect(first.elapsedMs).toBeLessThan(1_000);

    // While the receiver is stuck waiting on the downstream for this very message, Bandwidth's next callback
    // for it is still answered at once.
    await waitFor(() => downstream.forSubject(id).length >= 1, 10_000);
    const second = await postCallback(receiver, [statusEvent("message-sent", { id, step: 1 })]);
    expect(second.status).toBe(200);
    expect(v.parse(AckSchema, second.body)).toEqual({ accepted: 1, duplicates: 0 });
    expect(second.elapsedMs).toBeLessThan(1_000);

    // FORWARD_TIMEOUT_MS is 2 s: the hung attempt is abandoned and retried.
    const [attempt1, attempt2] = await waitFor(
      () => downstream.forSubject(id).length >= 2 && downstream.forSubject(id),
      15_000,
    );
    expect(attempt2?.event?.id).toBe(attempt1?.event?.id);
    expect(attempt2?.event?.sequence).toBe("1");
    expect((attempt2?.receivedAt ?? 0) - (attempt1?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1_900);
    const pending = await waitFor(async () => {
      const view = await getMessage(receiver, id);
      const head = view?.events.find((event) => event.sequence === 1);
      return head && (head.forwarding.default?.attempts ?? 0) >= 1 && head;
    }, 10_000);
    expect(pending.forwarding.default?.state).toBe("pending");
    expect(pending.forwarding.default?.lastError).toMatch(/timeout/i);

    hanging = false;
    await waitFor(() => firstDeliveries(downstream.forSubject(id)).length === 2, 20_000);
    expect(sequences(firstDeliveries(downstream.forSubject(id)))).toEqual([1, 2]);
    expect(outOfOrder(downstream.forSubject(id))).toEqual([]);
  });
});
