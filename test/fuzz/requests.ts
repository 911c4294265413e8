/**
 * The callbacks the fuzz suite sends: events drawn from the seeds, mutated, spread over pools of message ids
 * (one pool for accepted callbacks, one for rejected ones, and one for requests that mix valid events with an
 * invalid one, so that the end-of-run checks can tell what may be stored where), written with any layout, and the expected answer of each.
 */
import fc from "fast-check";
import { defineKey, type Layout, layoutArb, toJsonText } from "../generators/json-text.ts";
import {
  applyMutation,
  invalidMutationArb,
  type Mutation,
  messageIdMutationArb,
  validMutationArb,
} from "../generators/mutations.ts";
import { copyOf, type Doc, seedEvents } from "../generators/seeds.ts";
import { BODY_LIMIT_BYTES, type Callback, type Expectation } from "./fuzz-run.ts";

/** Every seed event: Bandwidth's official examples and the builders' events. */
export const seeds = seedEvents();
const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const VALID_POOL = 48;
const REJECTED_POOL = 16;
const validPoolId = (index: number) => `fuzz-valid-${run}-${index}`;
const rejectedPoolId = (index: number) => `fuzz-rejected-${run}-${index}`;
/** The invalid-mutant test's own pool: its valid events (and quarantined ones) are stored there, never in the rejected pool. */
const mixedPoolId = (index: number) => `fuzz-mixed-${run}-${index}`;

const JSON_CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "Application/JSON;charset=UTF-8",
  "application/json ; charset=utf-8",
];

/**
 * Ids that name a Durable Object of their own in the valid test, and nowhere else. They are not unique per run:
 * `vitest run` starts with empty storage, a watch-mode rerun would find the previous run's events under them.
 */
const EXACT_IDS = ["__proto__", "constructor", "toString", "😀", "\ud800", "x".repeat(256)];

/** A seed event for one message of a pool, with mutations applied in order. */
function eventArb(poolId: (index: number) => string, poolSize: number, last?: fc.Arbitrary<Mutation>) {
  const newIdArb = messageIdMutationArb(poolId(poolSize), poolId === validPoolId ? EXACT_IDS : []);
  return fc
    .record({
      seed: fc.nat(seeds.length - 1),
      pool: fc.nat(poolSize - 1),
      mutations: fc.array(validMutationArb, { maxLength: 4 }),
      // One event in 20 moves to a message id of its own (a new Durable Object).
      last:
        last ??
        fc.oneof({ weight: 19, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: newIdArb }),
    })
    .map(({ seed, pool, mutations, last: final }) => {
      const event = copyOf(seeds[seed] as Doc);
      (event.message as Doc).id = poolId(pool);
      const mutated = [...mutations, ...(final ? [final] : [])].reduce<unknown>(applyMutation, event);
      return { event: mutated, invalid: final?.issue, reject: final?.reject === true };
    });
}

/** The body of a request holding `events`: a bare object for a single event when `bare`, else an array. */
export function bodyOf(events: unknown[], bare: boolean): unknown {
  const [only] = events;
  const isObject = only !== null && typeof only === "object" && !Array.isArray(only);
  return bare && events.length === 1 && isObject ? only : events;
}

/** A JSON callback with `documents` as its body. */
export function callback(documents: unknown, layout: Layout, contentType: string): Callback {
  return { body: toJsonText(documents, layout), contentType, documents };
}

/** The size of a string body in UTF-8 bytes. */
export function byteLength(body: Callback["body"]): number {
  return typeof body === "string" ? new TextEncoder().encode(body).length : 0;
}

/** A 413 takes precedence over the body's validity when the body is over the limit. */
export function expectationFor(request: Callback, otherwise: Expectation): Expectation {
  return byteLength(request.body) > BODY_LIMIT_BYTES ? { status: 413 } : otherwise;
}

/** Requests of 1 to 3 valid events of the valid pool. */
export const validRequestArb = fc.record({
  events: fc.array(eventArb(validPoolId, VALID_POOL), { minLength: 1, maxLength: 3 }),
  bare: fc.boolean(),
  layout: layoutArb,
  contentType: fc.constantFrom(...JSON_CONTENT_TYPES),
});

/** Requests of 0 to 2 valid events and one invalid event, all of the mixed pool, with the invalid one's index. */
export const rejectedRequestArb = fc.record({
  others: fc.array(eventArb(mixedPoolId, REJECTED_POOL), { maxLength: 2 }),
  bad: eventArb(mixedPoolId, REJECTED_POOL, invalidMutationArb),
  position: fc.nat(2),
  bare: fc.boolean(),
  layout: layoutArb,
  contentType: fc.constantFrom(...JSON_CONTENT_TYPES),
});

/** Moves an event to the rejected pool, so that the end-of-run check proves nothing was stored under its id. */
export function relabel(event: unknown): unknown {
  const message = (event as Doc).message as Doc;
  defineKey(message, "id", rejectedPoolId(0));
  return event;
}
