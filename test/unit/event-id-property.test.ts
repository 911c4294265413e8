/**
 * The event id is stable (fast-check): the same Bandwidth event, however its body is written (key order,
 * whitespace, a bare object or an array) and whatever else changes around its identity (free text, unknown
 * fields, other message fields), gets the same id through the real body parser; events that differ in any
 * field of the dedup key get different ids.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCallbackBody } from "../../src/bandwidth/parse.ts";
import type { BandwidthEventOutput } from "../../src/bandwidth/schema.ts";
import { eventIdOf } from "../../src/message/event-id.ts";
import { checkAsyncProperty, recordFigure } from "../generators/figures.ts";
import { layoutArb, toJsonText } from "../generators/json-text.ts";
import { applyMutation, type Mutation, validMutationArb } from "../generators/mutations.ts";
import type { Doc } from "../generators/seeds.ts";
import { OUTBOUND_TYPES } from "../generators/values.ts";
import { statusEvent } from "../helpers/events.ts";

const RUNS = { numRuns: 1000 };
/** The dedup key (DESIGN.md): exactly these fields decide whether two deliveries are the same event. */
const IDENTITY_PATHS = ["type", "time", "to", "errorCode", "eventTime", "message.id"];

interface Identity {
  type: string;
  id: string;
  to: string;
  time: string;
  errorCode: number | undefined;
  eventTime: string | undefined;
}

/** Few values per field, so that equal and nearly equal identities are frequent. */
const identityArb: fc.Arbitrary<Identity> = fc.record({
  type: fc.constantFrom(...OUTBOUND_TYPES, "message-foo"),
  id: fc.constantFrom("msg-a", "msg-b"),
  to: fc.constantFrom("+15554443333", "+15554443334"),
  // The same instant written two ways is two different spellings of `time`, hence two events.
  time: fc.constantFrom("2024-09-14T18:20:16Z", "2024-09-14T18:20:16.000Z", "2024-09-14T18:20:17Z"),
  errorCode: fc.constantFrom(undefined, 4720, 9902),
  eventTime: fc.constantFrom(undefined, "2024-09-14T18:20:10Z", "2024-09-14T18:20:11Z"),
});

function eventOf(identity: Identity): Doc {
  const extra = identity.eventTime === undefined ? {} : { eventTime: identity.eventTime };
  const event: Record<string, unknown> = {
    ...statusEvent(identity.type, { id: identity.id, to: identity.to, time: identity.time, extra }),
  };
  if (identity.errorCode !== undefined) event.errorCode = identity.errorCode;
  return event;
}

function touchesIdentity(mutation: Mutation): boolean {
  return mutation.edits.some((edit) => IDENTITY_PATHS.includes(edit.path.join(".")));
}

async function idOfBody(text: string): Promise<string> {
  const parsed = parseCallbackBody(text);
  if (!parsed.ok) throw new Error(`the body should be valid: ${JSON.stringify(parsed.issues)}`);
  const [event] = parsed.events;
  return eventIdOf(event as BandwidthEventOutput);
}

describe("the event id", () => {
  it("is the same for the same event whatever the body's layout, free text and unknown fields", async ({
    task,
  }) => {
    const arbitrary = fc.record({
      identity: identityArb,
      layout: layoutArb,
      bare: fc.boolean(),
      mutations: fc.array(
        validMutationArb.filter((mutation) => !touchesIdentity(mutation)),
        { maxLength: 4 },
      ),
    });
    const runs = await checkAsyncProperty(
      fc.asyncProperty(arbitrary, async ({ identity, layout, bare, mutations }) => {
        const canonical = eventOf(identity);
        const rewritten = mutations.reduce<unknown>(applyMutation, eventOf(identity));
        const text = toJsonText(bare ? rewritten : [rewritten], layout);
        expect(await idOfBody(text)).toBe(await idOfBody(JSON.stringify([canonical])));
      }),
      RUNS,
    );
    recordFigure(task, { kind: "property", runs });
  });

  it("differs between events that differ in any field of the dedup key", async ({ task }) => {
    // Half the pairs differ in at most one field of the key, so that every field is tested on its own.
    const FIELDS: Array<keyof Identity> = ["type", "id", "to", "time", "errorCode", "eventTime"];
    const pairArb = fc
      .record({ a: identityArb, other: identityArb, field: fc.constantFrom(...FIELDS), near: fc.boolean() })
      .map(({ a, other, field, near }) => ({ a, b: near ? { ...a, [field]: other[field] } : other }));
    const runs = await checkAsyncProperty(
      fc.asyncProperty(pairArb, async ({ a, b }) => {
        const same = FIELDS.every((field) => a[field] === b[field]);
        const [idA, idB] = await Promise.all([
          idOfBody(JSON.stringify(eventOf(a))),
          idOfBody(JSON.stringify(eventOf(b))),
        ]);
        expect(idA === idB).toBe(same);
      }),
      RUNS,
    );
    recordFigure(task, { kind: "property", runs });
  });
});
