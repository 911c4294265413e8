/**
 * End to end: a downstream that refuses an event (permanent 4xx) makes it dead and visible to the operator;
 * once the downstream is fixed, POST /messages/:id/redeliver forwards it again with the same id and sequence.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../harness/wait.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { getDeadLetters } from "./harness/api.ts";
import { admin, postCallback } from "./harness/client.ts";
import {
  expectListedAsDead,
  expectRedelivered,
  RedeliverAnswerSchema,
  refusingUntilFixed,
  sendUntilDead,
} from "./harness/dead-letter-steps.ts";
import { firstDeliveries } from "./harness/ordering.ts";
import { useStack } from "./harness/stack.ts";

const current = useStack();

describe("a downstream that refuses a message's events with 400", () => {
  it("makes them dead and listed in /dead-letters; POST /messages/:id/redeliver delivers them with the same ids and sequences", async () => {
    const { receiver, downstream } = current();
    const id = newMessageId("e2e-dead-one");
    const downstreamState = refusingUntilFixed();
    downstream.behave(id, downstreamState.behaviour);

    const refused = await sendUntilDead(current(), id);
    await expectListedAsDead(current(), id, refused);

    // Nothing retries a permanent refusal behind the operator's back: the receiver's state says dead after one
    // attempt each (no next attempt) and lists them, and only the two refused requests reached the downstream.
    expect(downstream.forSubject(id)).toHaveLength(2);

    downstreamState.fix();
    const answer = await admin(receiver, "POST", `/messages/${encodeURIComponent(id)}/redeliver`);
    expect(answer.status).toBe(202);
    expect(v.parse(RedeliverAnswerSchema, answer.body)).toEqual({ redelivered: 2 });

    await expectRedelivered(current(), id, refused);
    expect(await getDeadLetters(receiver)).toMatchObject({ total: 0, items: [] });
  });
});

describe("redelivery of a delivered message", () => {
  it('POST /messages/:id/redeliver with {"all": true} forwards every event again, with the same ids and sequences', async () => {
    const { receiver, downstream } = current();
    const id = newMessageId("e2e-redeliver-all");
    const events = [
      statusEvent("message-sending", { id, step: 0 }),
      statusEvent("message-delivered", { id, step: 1 }),
    ];
    for (const event of events) expect((await postCallback(receiver, [event])).status).toBe(200);
    await waitFor(() => firstDeliveries(downstream.forSubject(id)).length === 2, 15_000);
    const before = firstDeliveries(downstream.forSubject(id));

    const answer = await admin(receiver, "POST", `/messages/${encodeURIComponent(id)}/redeliver`, {
      all: true,
    });
    expect(answer.status).toBe(202);
    expect(v.parse(RedeliverAnswerSchema, answer.body)).toEqual({ redelivered: 2 });

    await waitFor(() => downstream.deliveredFor(id).length === 4, 15_000);
    const again = downstream.deliveredFor(id).slice(2);
    expect(again.map((request) => [request.event?.id, request.event?.sequence])).toEqual(
      before.map((request) => [request.event?.id, request.event?.sequence]),
    );
    expect(again.every((request) => request.signature === "ok")).toBe(true);
  });
});
