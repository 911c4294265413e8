/**
 * Dedup holds across any interleaving of retries, through the real Worker: a generated set of events of one
 * message, each sent 1 to 3 times, shuffled, cut into batches of 1 to 3 events and sent one after another or
 * all at once. The history holds each event once with its extra sends counted as duplicates, the state equals
 * the state of one in-order delivery, and the downstream (which answers 200) receives each event once (twice only after a recorded failed attempt).
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { BandwidthEventOutput } from "../../src/bandwidth/schema.ts";
import { eventIdOf } from "../../src/message/event-id.ts";
import { stateOf } from "../../src/message/status.ts";
import { toMessageView } from "../../src/message/view.ts";
import { checkAsyncProperty, recordFigure } from "../generators/figures.ts";
import { INBOUND_TYPES, OUTBOUND_TYPES } from "../generators/values.ts";
import { inboundEvent, newMessageId, statusEvent } from "../helpers/events.ts";
import { expectForwardedOnceUnlessRetried } from "../helpers/forwarding.ts";
import { forwardsOf, postCallback } from "../helpers/http.ts";
import { settle, storedEvents } from "../helpers/settle.ts";

const RECIPIENTS = ["+15550000001", "+15550000002", "+15550000003"];
const OWNED = ["+15552221111", "+15552221112"];
const TIMES = [
  "2024-09-14T18:20:10Z",
  "2024-09-14T18:20:11.000Z",
  "2024-09-14T18:20:12.5Z",
  "2024-09-14T20:20:12.5+02:00",
];

interface EventSpec {
  type: string;
  to: string;
  time: string;
  errorCode: number | undefined;
}

const identity = (spec: EventSpec) => JSON.stringify([spec.type, spec.to, spec.time, spec.errorCode]);

const outboundSpecsArb = fc.uniqueArray(
  fc.record({
    type: fc.constantFrom(...OUTBOUND_TYPES, "message-foo"),
    to: fc.constantFrom(...RECIPIENTS),
    time: fc.constantFrom(...TIMES),
    errorCode: fc.option(fc.constantFrom(4720, 9902), { nil: undefined }),
  }),
  { minLength: 1, maxLength: 6, selector: identity },
);
const inboundSpecsArb = fc.uniqueArray(
  fc.record({
    type: fc.constantFrom(...INBOUND_TYPES),
    to: fc.constantFrom(...OWNED),
    time: fc.constantFrom(...TIMES),
    errorCode: fc.constant(undefined),
  }),
  { minLength: 1, maxLength: 4, selector: identity },
);

/** Each event's index repeated 1 to 3 times, shuffled, cut into batches of 1 to 3, sent in turn or at once. */
const deliveryArb = fc
  .record({ outbound: fc.boolean(), outboundSpecs: outboundSpecsArb, inboundSpecs: inboundSpecsArb })
  .chain(({ outbound, outboundSpecs, inboundSpecs }) => {
    const specs = outbound ? outboundSpecs : inboundSpecs;
    return fc
      .array(fc.integer({ min: 1, max: 3 }), { minLength: specs.length, maxLength: specs.length })
      .chain((repeats) => {
        const sends = repeats.flatMap((times, index) => Array<number>(times).fill(index));
        return fc.record({
          specs: fc.constant(specs),
          outbound: fc.constant(outbound),
          order: fc.shuffledSubarray(sends, { minLength: sends.length, maxLength: sends.length }),
          batchSizes: fc.array(fc.integer({ min: 1, max: 3 }), {
            minLength: sends.length,
            maxLength: sends.length,
          }),
          concurrent: fc.boolean(),
        });
      });
  });

function build(spec: EventSpec, id: string, outbound: boolean): BandwidthEventOutput {
  const event = outbound
    ? statusEvent(spec.type, {
        id,
        to: spec.to,
        recipients: RECIPIENTS,
        time: spec.time,
        errorCode: spec.errorCode,
      })
    : inboundEvent({ id, type: spec.type, time: spec.time, extra: { to: spec.to } });
  return event as BandwidthEventOutput;
}

function batchesOf<T>(items: T[], sizes: number[]): T[][] {
  const batches: T[][] = [];
  for (let start = 0, i = 0; start < items.length; i++) {
    const size = sizes[i] ?? 1;
    batches.push(items.slice(start, start + size));
    start += size;
  }
  return batches;
}

let restoreConsole: () => void = () => {};
beforeAll(() => {
  const spy = vi.spyOn(console, "log").mockImplementation(() => {});
  restoreConsole = () => spy.mockRestore();
});
afterAll(() => restoreConsole());

describe("dedup across any interleaving of retries", { timeout: 120_000 }, () => {
  it("stores each event once, counts every extra send as a duplicate, and forwards each event (at least once, first deliveries in sequence order)", async ({
    task,
  }) => {
    const delivered = new Map<string, string[]>();
    let requests = 0;
    const runs = await checkAsyncProperty(
      fc.asyncProperty(deliveryArb, async ({ specs, outbound, order, batchSizes, concurrent }) => {
        const id = newMessageId("dedup");
        delivered.set(id, []);
        const events = specs.map((spec) => build(spec, id, outbound));
        const ids = await Promise.all(events.map((event) => eventIdOf(event)));
        const batches = batchesOf(order, batchSizes).map((batch) => batch.map((index) => events[index]));
        const post = async (batch: unknown[]) => {
          const response = await postCallback(batch);
          requests++;
          expect(response.status).toBe(200);
          return (await response.json()) as { accepted: number; duplicates: number };
        };
        const answers = concurrent
          ? await Promise.all(batches.map(post))
          : await batches.reduce<Promise<Array<{ accepted: number; duplicates: number }>>>(
              async (done, batch) => [...(await done), await post(batch)],
              Promise.resolve([]),
            );
        expect(answers.reduce((sum, a) => sum + a.accepted, 0)).toBe(specs.length);
        expect(answers.reduce((sum, a) => sum + a.duplicates, 0)).toBe(order.length - specs.length);

        const view = await env.MESSAGE_TRACKER.getByName(id).snapshot();
        const sendsOf = (index: number) => order.filter((sent) => sent === index).length;
        expect(view?.events.map((e) => [e.id, e.duplicates]).sort()).toEqual(
          ids.map((eventId, index) => [eventId, sendsOf(index) - 1]).sort(),
        );
        const single = toMessageView(
          stateOf(events.map((event, i) => ({ eventId: ids[i] as string, event }))),
          [],
        );
        const { events: _history, ...state } = view ?? { events: [] };
        const { events: _none, ...expected } = single;
        expect(state).toEqual(expected);
        delivered.set(id, ids);
      }),
      { numRuns: 300, endOnFailure: true },
    ).finally(() => settle(...delivered.keys()));
    for (const [id, ids] of delivered) {
      // At least once, but never twice for an attempt the downstream answered 2xx in time: a second delivery
      // needs a recorded failed attempt. The first deliveries are exactly the stored events, in sequence order.
      const all = await forwardsOf(id);
      expectForwardedOnceUnlessRetried(
        all.map((f) => f.headers["webhook-id"] ?? ""),
        await storedEvents(id),
      );
      const seen = new Set<string | undefined>();
      const forwards = all.filter((f) => {
        const first = !seen.has(f.headers["webhook-id"]);
        seen.add(f.headers["webhook-id"]);
        return first;
      });
      expect(forwards.map((f) => f.headers["webhook-id"]).sort()).toEqual([...ids].sort());
      const sequences = forwards.map((f) => (JSON.parse(f.body) as { sequence: string }).sequence);
      expect(sequences).toEqual(ids.map((_, index) => String(index + 1)));
    }
    recordFigure(task, { kind: "property", runs, requests });
  });
});
