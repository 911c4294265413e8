/**
 * Routing: the facts of an event, each filter field alone, fields ANDed and values ORed, operator events, and a
 * property: an event goes to exactly the destinations whose filter matches it, checked against an oracle
 * written here from DESIGN.md's wording.
 */
import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { type BandwidthEventOutput, BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import type { DestinationFilter } from "../../src/forward/destination-schema.ts";
import { OPERATOR_EVENT, type Routed, routeTo, routingFacts } from "../../src/forward/routing.ts";
import { assertCounted } from "../generators/figures.ts";
import { inboundEvent, statusEvent } from "../helpers/events.ts";

const APP = "93de2206-9669-4e07-948d-329f4b722ee2";

function event(input: unknown): BandwidthEventOutput {
  return v.parse(BandwidthEventSchema, input);
}

const delivered = event(statusEvent("message-delivered"));
const failed = event(statusEvent("message-failed", { errorCode: 4720 }));
const received = event(inboundEvent());

/** The names `filter` routes each of `events` to (one destination, so the name or nothing). */
function passes(filter: DestinationFilter | undefined, ...events: BandwidthEventOutput[]): boolean[] {
  return events.map((e) => routeTo([{ name: "d", filter }], routingFacts(e)).length === 1);
}

describe("routingFacts", () => {
  it("takes the normalized name, the direction, the application, the tag and the error code", () => {
    expect(routingFacts(failed)).toEqual({
      event: "failed",
      direction: "outbound",
      applicationId: APP,
      tag: "test",
      errorCode: 4720,
    });
    // Only what the event has: no key for a tag or error code it lacks.
    expect(routingFacts(received)).toStrictEqual({
      event: "received",
      direction: "inbound",
      applicationId: APP,
    });
    const bare = statusEvent("message-sent") as { message: Record<string, unknown> };
    delete bare.message.applicationId;
    delete bare.message.tag;
    expect(routingFacts(event(bare))).toStrictEqual({ event: "sent", direction: "outbound" });
  });

  it("folds the location response's spellings and keeps an unknown type's name", () => {
    for (const type of [
      "requested-location-response",
      "request-location-response",
      "location-request-response",
    ]) {
      expect(routingFacts(event(inboundEvent({ type }))).event).toBe("location-response");
    }
    expect(routingFacts(event(statusEvent("message-foo"))).event).toBe("foo");
    expect(routingFacts(event(inboundEvent({ type: "suggestion-response" }))).event).toBe(
      "suggestion-response",
    );
  });
});

describe("routeTo", () => {
  it("sends everything to a destination without a filter, and nothing operator", () => {
    expect(passes(undefined, delivered, failed, received)).toEqual([true, true, true]);
    expect(routeTo([{ name: "d" }], OPERATOR_EVENT)).toEqual([]);
  });

  it("events: any of the listed normalized names, unknown names included", () => {
    expect(passes({ events: ["delivered", "failed"] }, delivered, failed, received)).toEqual([
      true,
      true,
      false,
    ]);
    expect(passes({ events: ["foo"] }, event(statusEvent("message-foo")), delivered)).toEqual([true, false]);
    expect(
      passes({ events: ["location-response"] }, event(inboundEvent({ type: "request-location-response" }))),
    ).toEqual([true]);
  });

  it("direction: inbound or outbound", () => {
    expect(passes({ direction: "inbound" }, delivered, received)).toEqual([false, true]);
    expect(passes({ direction: "outbound" }, delivered, received)).toEqual([true, false]);
  });

  it("applicationIds: any of them; an event without an application matches none", () => {
    const { applicationId: _, ...withoutApplication } = delivered.message;
    const anonymous = event({ ...statusEvent("message-sent"), message: withoutApplication });
    expect(passes({ applicationIds: ["x", APP] }, delivered, anonymous)).toEqual([true, false]);
    expect(passes({ applicationIds: ["x"] }, delivered)).toEqual([false]);
  });

  it("tags: the exact message.tag", () => {
    const tagged = (tag: string | undefined) =>
      event({ ...statusEvent("message-sent"), message: { ...delivered.message, tag } });
    expect(
      passes({ tags: ["crm", "vip"] }, tagged("vip"), tagged("VIP"), tagged("vip "), tagged(undefined)),
    ).toEqual([true, false, false, false]);
  });

  it("errorCodes: any of the listed integers; an event without one matches none", () => {
    const code = (errorCode: number) => event(statusEvent("message-failed", { errorCode }));
    expect(passes({ errorCodes: [4720, 9902] }, code(9902), code(4700), delivered)).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("ANDs the fields", () => {
    const filter: DestinationFilter = { events: ["failed"], direction: "outbound", errorCodes: [4720] };
    expect(
      passes(filter, failed, event(statusEvent("message-failed", { errorCode: 9902 })), delivered),
    ).toEqual([true, false, false]);
  });

  it("sends operator events to operator: true only, whatever its other fields", () => {
    const destinations: Routed[] = [
      { name: "crm", filter: { events: ["delivered"] } },
      { name: "alerts", filter: { events: [], operator: true } },
      { name: "all", filter: { operator: true } },
      { name: "off", filter: { operator: false } },
      { name: "everything" },
    ];
    expect(routeTo(destinations, OPERATOR_EVENT)).toEqual(["alerts", "all"]);
    expect(routeTo(destinations, routingFacts(delivered))).toEqual(["crm", "all", "off", "everything"]);
  });
});

// The property: an oracle that reads the raw event and the filter as DESIGN.md states them.

const TYPES = [
  "message-sending",
  "message-sent",
  "message-delivered",
  "message-failed",
  "message-read",
  "message-received",
  "suggestion-response",
  "requested-location-response",
  "request-location-response",
  "location-request-response",
  "message-foo",
];
const NAMES = [
  "sending",
  "sent",
  "delivered",
  "failed",
  "read",
  "received",
  "suggestion-response",
  "location-response",
  "foo",
  "bar",
];
const APPS = ["app-1", "app-2", "app-3"];
const TAGS = ["crm", "vip", "VIP", ""];
const CODES = [4720, 4700, 9902, 9999];

const ORACLE_NAMES: Record<string, string> = {
  "message-sending": "sending",
  "message-sent": "sent",
  "message-delivered": "delivered",
  "message-failed": "failed",
  "message-read": "read",
  "message-received": "received",
  "suggestion-response": "suggestion-response",
  "requested-location-response": "location-response",
  "request-location-response": "location-response",
  "location-request-response": "location-response",
  "message-foo": "foo",
};

function oracleAccepts(filter: DestinationFilter | undefined, raw: BandwidthEventOutput): boolean {
  if (filter === undefined) return true;
  const checks: boolean[] = [];
  if (filter.events) checks.push(filter.events.some((name) => name === ORACLE_NAMES[raw.type]));
  if (filter.direction) checks.push((filter.direction === "inbound") === (raw.message.direction === "in"));
  if (filter.applicationIds)
    checks.push(filter.applicationIds.some((id) => id === raw.message.applicationId));
  if (filter.tags) checks.push(filter.tags.some((tag) => tag === raw.message.tag));
  if (filter.errorCodes) checks.push(filter.errorCodes.some((code) => code === raw.errorCode));
  return checks.every(Boolean);
}

const filterArb: fc.Arbitrary<DestinationFilter | undefined> = fc.option(
  fc.record(
    {
      events: fc.subarray(NAMES),
      direction: fc.constantFrom("inbound" as const, "outbound" as const),
      applicationIds: fc.subarray(APPS),
      tags: fc.subarray(TAGS),
      errorCodes: fc.subarray(CODES),
      operator: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);

const eventArb: fc.Arbitrary<BandwidthEventOutput> = fc
  .record({
    type: fc.constantFrom(...TYPES),
    direction: fc.constantFrom("in" as const, "out" as const),
    applicationId: fc.option(fc.constantFrom(...APPS), { nil: undefined }),
    tag: fc.option(fc.constantFrom(...TAGS), { nil: undefined }),
    errorCode: fc.option(fc.constantFrom(...CODES), { nil: undefined }),
  })
  .map(({ type, direction, applicationId, tag, errorCode }) => {
    const base = statusEvent(type, errorCode === undefined ? {} : { errorCode });
    const message: Record<string, unknown> = { ...base.message, direction };
    if (applicationId === undefined) delete message.applicationId;
    else message.applicationId = applicationId;
    if (tag === undefined) delete message.tag;
    else message.tag = tag;
    return event({ ...base, message });
  });

const destinationsArb = fc
  .array(filterArb, { maxLength: 6 })
  .map((filters) =>
    filters.map((filter, i): Routed => (filter ? { name: `d${i}`, filter } : { name: `d${i}` })),
  );

describe("routing, as a property", () => {
  it("an event goes to exactly the destinations whose filter matches it, in configuration order", ({
    task,
  }) => {
    assertCounted(
      task,
      fc.property(destinationsArb, eventArb, (destinations, raw) => {
        const expected = destinations.filter((d) => oracleAccepts(d.filter, raw)).map((d) => d.name);
        expect(routeTo(destinations, routingFacts(raw))).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("an operator event goes to exactly the destinations with operator: true", ({ task }) => {
    assertCounted(
      task,
      fc.property(destinationsArb, (destinations) => {
        const expected = destinations.filter((d) => d.filter?.operator === true).map((d) => d.name);
        expect(routeTo(destinations, OPERATOR_EVENT)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
