/**
 * End to end: events accepted while the downstream is down survive the receiver being killed, and are all
 * delivered, in order, by the restarted receiver (same --persist-to) once the downstream is healthy.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { waitFor } from "../../harness/wait.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { AckSchema } from "./harness/answers.ts";
import { allEventsIn, getMessage } from "./harness/api.ts";
import { postCallback } from "./harness/client.ts";
import { deliveryCounts, firstDeliveries, outOfOrder, sequences } from "./harness/ordering.ts";
import { useStack } from "./harness/stack.ts";

const current = useStack();

describe("a receiver killed while events are pending", () => {
  it("delivers every pending event after a restart with the same --persist-to, in order per message", async () => {
    const { receiver, downstream } = current();
    let healthy = false;
    const ids = [1, 2, 3].map(() => newMessageId("e2e-restart"));
    for (const id of ids) downstream.behave(id, () => (healthy ? { status: 200 } : { status: 503 }));

    let accepted = 0;
    for (const id of ids) {
      const ack = await postCallback(receiver, [
        statusEvent("message-sending", { id, step: 0 }),
        statusEvent("message-sent", { id, step: 1 }),
      ]);
      expect(ack.status).toBe(200);
      accepted += v.parse(AckSchema, ack.body).accepted;
    }
    expect(accepted).toBe(6);

    // Every message is pending behind a 503 before the kill. Only the downstream is watched: reading a message
    // through the operator API would touch its Durable Object, and what is proven here is that the receiver
    // resumes on its own.
    await waitFor(() => ids.every((id) => downstream.forSubject(id).some((r) => r.answered === 503)), 15_000);
    expect(ids.every((id) => downstream.deliveredFor(id).length === 0)).toBe(true);

    await receiver.stop({ signal: "SIGKILL" });
    const killedAt = Date.now();
    healthy = true;
    await receiver.start();

    // Nothing touches the messages after the restart: the receiver must resume forwarding on its own.
    await waitFor(() => ids.every((id) => firstDeliveries(downstream.forSubject(id)).length === 2), 45_000, {
      describe: () =>
        ids.map((id) => `${id}: ${firstDeliveries(downstream.forSubject(id)).length}/2`).join(", "),
    });

    const deliveredIds = new Set<string>();
    for (const id of ids) {
      const requests = downstream.forSubject(id);
      const firsts = firstDeliveries(requests);
      expect(sequences(firsts)).toEqual([1, 2]);
      expect(firsts.every((request) => request.receivedAt > killedAt && request.signature === "ok")).toBe(
        true,
      );
      expect(outOfOrder(requests)).toEqual([]);
      expect([...deliveryCounts(requests).values()]).toEqual([1, 1]);
      for (const request of firsts) deliveredIds.add(request.event?.id ?? "");
    }

    const after = await waitFor(async () => {
      const views = await Promise.all(ids.map((id) => getMessage(receiver, id)));
      return views.every((view) => allEventsIn(view, "delivered")) && views;
    }, 10_000);
    expect(after.map((view) => view?.status)).toEqual(["sent", "sent", "sent"]);
    const acceptedIds = new Set(after.flatMap((view) => view?.events.map((event) => event.id) ?? []));
    expect(acceptedIds.size).toBe(6);
    expect(deliveredIds).toEqual(acceptedIds);
  });
});
