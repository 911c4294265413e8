/**
 * Steps shared by the dead-letter tests: make a message's events dead, check the operator's view of them,
 * and check their redelivery.
 */
import * as v from "valibot";
import { expect } from "vitest";
import type { Behaviour, DownstreamRequest } from "../../../harness/downstream.ts";
import { waitFor } from "../../../harness/wait.ts";
import { statusEvent } from "../../helpers/events.ts";
import { allEventsIn, getDeadLetters, getMessage } from "./api.ts";
import { postCallback } from "./client.ts";
import { deliveryCounts, firstDeliveries, outOfOrder } from "./ordering.ts";
import type { Stack } from "./stack.ts";

/** The body of `POST /messages/:id/redeliver`'s 202. */
export const RedeliverAnswerSchema = v.strictObject({ redelivered: v.number() });
/** The body of `POST /dead-letters/redeliver`'s 202 (`nextCursor` when more messages may remain). */
export const BulkRedeliverAnswerSchema = v.strictObject({
  redelivered: v.number(),
  messages: v.number(),
  nextCursor: v.optional(v.string()),
});

/** A downstream behaviour that refuses with a permanent 400 until `fix()` is called, then accepts. */
export function refusingUntilFixed(): { behaviour: Behaviour; fix: () => void } {
  let fixed = false;
  return {
    behaviour: () => (fixed ? { status: 200 } : { status: 400, body: "unknown schema" }),
    fix: () => {
      fixed = true;
    },
  };
}

/**
 * Posts sending then delivered for `id` (whose downstream behaviour refuses) and waits until both events are
 * dead in `GET /messages/:id`, each after exactly one attempt; returns the refused requests, in order.
 */
export async function sendUntilDead(stack: Stack, id: string): Promise<DownstreamRequest[]> {
  const { receiver, downstream } = stack;
  const events = [
    statusEvent("message-sending", { id, step: 0 }),
    statusEvent("message-delivered", { id, step: 1 }),
  ];
  for (const event of events) {
    const ack = await postCallback(receiver, [event]);
    expect(ack.status).toBe(200);
  }
  const view = await waitFor(async () => {
    const latest = await getMessage(receiver, id);
    return allEventsIn(latest, "dead") && latest.events.length === 2 && latest;
  }, 20_000);
  for (const event of view.events) {
    expect(event.forwarding.default).toMatchObject({ state: "dead", attempts: 1 });
    expect(event.forwarding.default?.lastError).toContain("400");
  }
  // A permanent 4xx is not retried: one request per event, in sequence order, nothing delivered.
  const refused = downstream.forSubject(id);
  expect(refused.map((request) => request.answered)).toEqual([400, 400]);
  expect(refused.map((request) => request.event?.sequence)).toEqual(["1", "2"]);
  expect(new Set(refused.map((request) => request.event?.id))).toEqual(new Set(view.events.map((e) => e.id)));
  return refused;
}

/** Waits until `GET /dead-letters` lists exactly the events of `refused` for `id`, and checks each item. */
export async function expectListedAsDead(
  stack: Stack,
  id: string,
  refused: DownstreamRequest[],
): Promise<void> {
  const items = await waitFor(async () => {
    const page = await getDeadLetters(stack.receiver);
    const mine = page.items.filter((item) => item.messageId === id);
    return mine.length === refused.length && mine;
  }, 15_000);
  for (const request of refused) {
    const item = items.find((candidate) => candidate.eventId === request.event?.id);
    expect(item).toMatchObject({ messageId: id, sequence: Number(request.event?.sequence), attempts: 1 });
    expect(item?.lastError).toContain("400");
    expect(Number.isNaN(Date.parse(item?.deadAt ?? ""))).toBe(false);
  }
}

/**
 * Waits until the events of `refused` were delivered again and checks that they kept their CloudEvent ids and
 * sequences, went in order, once each, signed; that `GET /messages/:id` shows them delivered; and that
 * `GET /dead-letters` no longer lists them.
 */
export async function expectRedelivered(
  stack: Stack,
  id: string,
  refused: DownstreamRequest[],
): Promise<void> {
  const { receiver, downstream } = stack;
  await waitFor(() => firstDeliveries(downstream.forSubject(id)).length === refused.length, 20_000);
  const requests = downstream.forSubject(id);
  const delivered = firstDeliveries(requests);
  expect(delivered.map((request) => [request.event?.id, request.event?.sequence])).toEqual(
    refused.map((request) => [request.event?.id, request.event?.sequence]),
  );
  expect(delivered.every((request) => request.signature === "ok")).toBe(true);
  expect(outOfOrder(requests.slice(refused.length))).toEqual([]);
  expect([...deliveryCounts(requests).values()]).toEqual(refused.map(() => 1));
  const view = await waitFor(async () => {
    const latest = await getMessage(receiver, id);
    return allEventsIn(latest, "delivered") && latest;
  }, 10_000);
  expect(view.events.map((event) => event.id).sort()).toEqual(refused.map((r) => r.event?.id).sort());
  await waitFor(
    async () => (await getDeadLetters(receiver)).items.every((item) => item.messageId !== id),
    15_000,
  );
}
