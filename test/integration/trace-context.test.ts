/**
 * W3C trace context end to end inside workerd: an accepted event continues the callback's trace (or starts one),
 * its CloudEvent carries the event's `traceparent` unchanged across retries, every attempt's header carries the
 * trace id with a span of its own, GET /messages/:id shows the trace id, and a record stored without one (by an
 * earlier version) gets the trace derived from its event id.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { derivedTrace, parseTraceparent } from "../../src/message/trace-context.ts";
import { readRecord, writeRecord } from "../../src/objects/message-sql.ts";
import { statusEvent } from "../helpers/events.ts";
import { admin, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

const CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";

async function forwarded(id: string, count: number) {
  return waitFor(
    async () => {
      const list = await forwardsOf(id);
      return list.length >= count ? list : undefined;
    },
    10_000,
    `${count} forwards of ${id}`,
  );
}

async function traceIdsShown(id: string): Promise<string[]> {
  const view = (await (await admin(`/messages/${id}`)).json()) as { events: Array<{ traceId: string }> };
  return view.events.map((event) => event.traceId);
}

describe("trace context", () => {
  it("continues the callback's trace; retries keep the body and the trace id, with a new span per attempt", async () => {
    const event = statusEvent("message-delivered");
    const id = event.message.id;
    await scriptDownstream(id, [503, 500]);
    await postCallback([event], { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` });
    const attempts = await forwarded(id, 3);
    await settle(id);
    expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
    const attribute = parseTraceparent(
      (JSON.parse(attempts[0]?.body ?? "{}") as { traceparent?: string }).traceparent,
    );
    expect(attribute?.traceId).toBe(CALLER_TRACE);
    // The event's span is its acceptance: a child of the caller's span, not the caller's span itself.
    expect(attribute?.parentId).not.toBe(CALLER_SPAN);
    const headers = attempts.map((attempt) => parseTraceparent(attempt.headers.traceparent));
    expect(headers.map((header) => header?.traceId)).toEqual([CALLER_TRACE, CALLER_TRACE, CALLER_TRACE]);
    const spans = headers.map((header) => header?.parentId);
    expect(new Set([...spans, attribute?.parentId, CALLER_SPAN]).size).toBe(5);
    expect(await traceIdsShown(id)).toEqual([CALLER_TRACE]);
  });

  it.each([
    ["without a traceparent", {}],
    [
      "with an invalid traceparent (all-zero trace id)",
      { traceparent: `00-${"0".repeat(32)}-${CALLER_SPAN}-01` },
    ],
  ])("starts a new trace for a callback %s, shared by its events, with a span each", async (_, headers) => {
    const first = statusEvent("message-sending");
    const id = first.message.id;
    const second = statusEvent("message-sent", { id, time: "2024-09-14T18:20:17.000Z" });
    await postCallback([first, second], headers);
    const attempts = await forwarded(id, 2);
    await settle(id);
    const attributes = attempts.map((attempt) =>
      parseTraceparent((JSON.parse(attempt.body) as { traceparent?: string }).traceparent),
    );
    const [traceId] = await traceIdsShown(id);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe("0".repeat(32));
    expect(attributes.map((attribute) => attribute?.traceId)).toEqual([traceId, traceId]);
    expect(attributes[0]?.parentId).not.toBe(attributes[1]?.parentId);
    expect(attempts.map((attempt) => parseTraceparent(attempt.headers.traceparent)?.traceId)).toEqual([
      traceId,
      traceId,
    ]);
  });

  it("gives a record stored without trace context (an earlier version's) the trace derived from its id", async () => {
    const event = statusEvent("message-failed", { errorCode: 4432 });
    const id = event.message.id;
    await scriptDownstream(id, [400]);
    await postCallback([event]);
    await forwarded(id, 1);
    await waitFor(async () => {
      const view = await env.MESSAGE_TRACKER.getByName(id).snapshot();
      return view?.events[0]?.forwarding.default?.state === "dead" ? true : undefined;
    });
    await settle(id);
    const eventId = await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) => {
      const record = readRecord(state.storage);
      if (!record) throw new Error("expected a stored message");
      for (const stored of record.events) delete stored.trace;
      writeRecord(state.storage, record);
      return record.events[0]?.eventId ?? "";
    });
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
      state.abort("reload"),
    ).catch(() => undefined);
    const { traceId, spanId } = derivedTrace(eventId);
    expect(await traceIdsShown(id)).toEqual([traceId]);
    expect((await admin(`/messages/${id}/redeliver`, { method: "POST" })).status).toBe(202);
    const [, again] = await forwarded(id, 2);
    await settle(id);
    expect((JSON.parse(again?.body ?? "{}") as { traceparent?: string }).traceparent).toBe(
      `00-${traceId}-${spanId}-01`,
    );
    expect(parseTraceparent(again?.headers.traceparent)?.traceId).toBe(traceId);
  });
});
