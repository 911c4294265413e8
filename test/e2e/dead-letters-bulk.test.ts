/**
 * End to end: after a downstream outage that killed events of several messages (permanent 4xx), one
 * POST /dead-letters/redeliver forwards them all again. Its own receiver, since the dead-letter index is global.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import type { DownstreamRequest } from "../../harness/downstream.ts";
import { newMessageId } from "../helpers/events.ts";
import { getDeadLetters } from "./harness/api.ts";
import { admin } from "./harness/client.ts";
import {
  BulkRedeliverAnswerSchema,
  expectListedAsDead,
  expectRedelivered,
  refusingUntilFixed,
  sendUntilDead,
} from "./harness/dead-letter-steps.ts";
import { useStack } from "./harness/stack.ts";

const current = useStack();

describe("bulk redelivery", () => {
  it("POST /dead-letters/redeliver forwards the dead events of every message again once the downstream is fixed", async () => {
    const { receiver, downstream } = current();
    const ids = [newMessageId("e2e-dead-bulk"), newMessageId("e2e-dead-bulk")];
    const downstreamState = refusingUntilFixed();
    for (const id of ids) downstream.behave(id, downstreamState.behaviour);

    const refused = new Map<string, DownstreamRequest[]>();
    for (const id of ids) refused.set(id, await sendUntilDead(current(), id));
    for (const id of ids) await expectListedAsDead(current(), id, refused.get(id) ?? []);
    expect((await getDeadLetters(receiver)).total).toBe(4);

    downstreamState.fix();
    const answer = await admin(receiver, "POST", "/dead-letters/redeliver", { limit: 10 });
    expect(answer.status).toBe(202);
    expect(v.parse(BulkRedeliverAnswerSchema, answer.body)).toEqual({ redelivered: 4, messages: 2 });

    for (const id of ids) await expectRedelivered(current(), id, refused.get(id) ?? []);
    expect(await getDeadLetters(receiver)).toMatchObject({ total: 0, items: [] });
  });
});
