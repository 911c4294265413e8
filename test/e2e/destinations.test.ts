/**
 * End to end through `wrangler dev` with three destinations: two HTTP downstreams with different filters and
 * secrets (crm: outbound delivered and failed; inbox: inbound), and a queue destination without a filter,
 * consumed by the example consumer (examples/queue-consumer/) in a second `wrangler dev` that shares the
 * receiver's local queue through a dev registry of their own.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import type { Downstream, DownstreamRequest } from "../../harness/downstream.ts";
import { verifyWebhookSignature } from "../../harness/signature.ts";
import { waitFor } from "../../harness/wait.ts";
import type { BandwidthEventInput } from "../../src/bandwidth/schema.ts";
import { inboundEvent, newMessageId, outboundLifecycle, statusEvent } from "../helpers/events.ts";
import { AckSchema, type MessageView } from "./harness/answers.ts";
import { getMessage } from "./harness/api.ts";
import { postCallback } from "./harness/client.ts";
import { consumerLines, EventProcessedLineSchema, QueueMessageLineSchema } from "./harness/consumer-log.ts";
import { useDestinationsStack } from "./harness/destinations-stack.ts";
import { deliveryCounts, firstDeliveries } from "./harness/ordering.ts";

const SECRETS = {
  crm: "whsec_ft/Ju3DwRaCn0BIsJ6tGbRsG49u8Zvd8",
  inbox: "whsec_L+lXp6vFcC2LXznVEOExCBT9DICLl0EP",
} as const;
const DESTINATIONS = ["crm", "inbox", "warehouse"] as const;
type DestinationName = (typeof DESTINATIONS)[number];

const current = useDestinationsStack({
  http: [
    { name: "crm", secret: SECRETS.crm, filter: { events: ["delivered", "failed"], direction: "outbound" } },
    { name: "inbox", secret: SECRETS.inbox, filter: { direction: "inbound" } },
  ],
  queue: { name: "warehouse" },
});

/** Which destinations an event of `type` in a message of `direction` must reach, by the filters above. */
function expectedDestinations(direction: MessageView["direction"], type: string): DestinationName[] {
  const crm = direction === "outbound" && (type === "message-delivered" || type === "message-failed");
  return [
    ...(crm ? ["crm" as const] : []),
    ...(direction === "inbound" ? ["inbox" as const] : []),
    "warehouse",
  ];
}

/**
 * Bandwidth's callbacks for four delivered outbound messages, one failed with an error code and two inbound
 * ones, interleaved as real traffic is: mostly one event per request, one request carrying two events, one
 * message's delivered receipt ahead of its sent one, then two of the requests again (Bandwidth's retries).
 */
function traffic() {
  const delivered = [1, 2, 3, 4].map(() => newMessageId("e2e-dest-out"));
  const failed = newMessageId("e2e-dest-failed");
  const inbound = [1, 2].map(() => newMessageId("e2e-dest-in"));
  const [a, b, c, d] = delivered.map(outboundLifecycle);
  const at = (lifecycle: BandwidthEventInput[] | undefined, step: number) => lifecycle?.[step] ?? {};
  const requests: object[][] = [
    [at(a, 0)],
    [at(b, 0)],
    [inboundEvent({ id: inbound[0] })],
    [statusEvent("message-sending", { id: failed, step: 0 })],
    [at(c, 0)],
    [at(a, 1)],
    [at(d, 0)],
    [at(b, 1), at(c, 1)],
    [
      statusEvent("message-failed", {
        id: failed,
        step: 1,
        errorCode: 4720,
        description: "carrier rejected",
      }),
    ],
    [at(a, 2)],
    [inboundEvent({ id: inbound[1] })],
    [at(d, 2)],
    [at(d, 1)],
    [at(b, 2)],
    [at(c, 2)],
  ];
  const retries = [requests[3] ?? [], requests[9] ?? []];
  return { messageIds: [...delivered, failed, ...inbound], requests, retries };
}

/** The CloudEvent ids `downstream` answered 2xx. */
function deliveredIds(downstream: Downstream): Set<string> {
  return new Set(firstDeliveries(downstream.requests()).map((request) => request.event?.id ?? ""));
}

function verifiesWith(secret: string, request: DownstreamRequest) {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  return verifyWebhookSignature(
    secret,
    {
      id: header("webhook-id"),
      timestamp: header("webhook-timestamp"),
      signature: header("webhook-signature"),
    },
    request.body,
    request.receivedAt,
  );
}

describe("three destinations", () => {
  it("give each destination exactly its events, signed with its own secret, and the queue consumer processes each event once, in sequence order per message", async () => {
    const { receiver, consumer, downstreams } = current();
    const { messageIds, requests, retries } = traffic();

    let accepted = 0;
    for (const events of requests) {
      const ack = await postCallback(receiver, events);
      expect(ack.status).toBe(200);
      accepted += v.parse(AckSchema, ack.body).accepted;
    }
    expect(accepted).toBe(4 * 3 + 2 + 2);
    for (const events of retries) {
      const ack = await postCallback(receiver, events);
      expect(v.parse(AckSchema, ack.body)).toEqual({ accepted: 0, duplicates: events.length });
    }

    // The receiver's view once every event is delivered to each of its destinations: the accepted events.
    const views = await waitFor(
      async () => {
        const latest = await Promise.all(messageIds.map((id) => getMessage(receiver, id)));
        const done = latest.every((view) =>
          view?.events.every((event) =>
            Object.values(event.forwarding).every((f) => f.state === "delivered"),
          ),
        );
        return done && latest.filter((view): view is MessageView => view !== undefined);
      },
      30_000,
      "every event delivered to each of its destinations",
    );
    expect(views).toHaveLength(messageIds.length);
    const expected = new Map<DestinationName, Set<string>>(DESTINATIONS.map((name) => [name, new Set()]));
    for (const view of views) {
      for (const event of view.events) {
        const targets = expectedDestinations(view.direction, event.type);
        expect(Object.keys(event.forwarding).sort(), `${view.id} ${event.type}`).toEqual([...targets].sort());
        for (const target of targets) expected.get(target)?.add(event.id);
      }
    }
    expect(expected.get("crm")?.size).toBe(5);
    expect(expected.get("inbox")?.size).toBe(2);
    expect(expected.get("warehouse")?.size).toBe(16);

    // Each HTTP destination: exactly its events, once each, in sequence order per message (with gaps), each
    // request signed with its own secret and not with the other destination's.
    for (const [name, other] of [
      ["crm", "inbox"],
      ["inbox", "crm"],
    ] as const) {
      const downstream = downstreams.get(name);
      if (!downstream) throw new Error(`no downstream for ${name}`);
      const received = downstream.requests();
      expect(deliveredIds(downstream), name).toEqual(expected.get(name));
      expect(received).toHaveLength(expected.get(name)?.size ?? -1);
      expect([...deliveryCounts(received).values()].every((count) => count === 1)).toBe(true);
      for (const request of received) {
        expect(request.signature, `${name} ${request.event?.id}`).toBe("ok");
        expect(verifiesWith(SECRETS[name], request)).toBe("ok");
        expect(verifiesWith(SECRETS[other], request)).toBe("mismatch");
        expect(request.headers["webhook-id"]).toBe(request.event?.id);
      }
      for (const id of messageIds) {
        const sequences = received
          .filter((r) => r.event?.subject === id)
          .map((r) => Number(r.event?.sequence));
        expect(sequences, `${name} ${id}`).toEqual([...sequences].sort((x, y) => x - y));
      }
    }

    // The queue destination: the consumer processed every event of every message once, in sequence order.
    const processed = await waitFor(
      async () => {
        const all = await Promise.all(messageIds.map((id) => consumer.processed(id)));
        const count = all.reduce((sum, view) => sum + view.processed.length, 0);
        return count === expected.get("warehouse")?.size && all;
      },
      20_000,
      "the queue consumer to process every event",
    );
    for (const [index, view] of processed.entries()) {
      const accepted = [...(views[index]?.events ?? [])].sort((x, y) => x.sequence - y.sequence);
      expect(view.subject).toBe(messageIds[index]);
      expect(view.held).toEqual([]);
      expect(view.processed.map((event) => [event.position, event.id, event.sequence, event.late])).toEqual(
        accepted.map((event, position) => [position + 1, event.id, event.sequence, false]),
      );
    }
    // Its log agrees: each event stored once (a redelivered queue message would say "duplicate") and
    // processed once.
    const log = consumer.logTail(200_000);
    const warehouse = [...(expected.get("warehouse") ?? [])].sort();
    const stored = consumerLines(log, QueueMessageLineSchema).filter(
      (line) => line.outcome !== "duplicate" && line.outcome !== "retry",
    );
    expect(stored.map((line) => line.eventId).sort()).toEqual(warehouse);
    const processedLines = consumerLines(log, EventProcessedLineSchema);
    expect(processedLines.map((line) => line.eventId).sort()).toEqual(warehouse);
    expect(processedLines.filter((line) => line.late)).toEqual([]);
  });
});
