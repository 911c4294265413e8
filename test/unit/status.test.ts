/**
 * The delivery state as a join-semilattice: algebraic laws checked with fast-check over random events of one
 * message, and the business rules of DESIGN.md ("State per message") as examples.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INBOUND_EVENT_TYPES, STATUS_EVENT_TYPES } from "../../src/bandwidth/event-types.ts";
import type { BandwidthEventOutput } from "../../src/bandwidth/schema.ts";
import { dedupKey, eventIdOf } from "../../src/message/event-id.ts";
import {
  type IdentifiedEvent,
  join,
  type MessageState,
  overallStatus,
  recipientStatus,
  stateOf,
  stateOfEvent,
} from "../../src/message/status.ts";
import { toMessageView } from "../../src/message/view.ts";
import { assertCounted } from "../generators/figures.ts";

const RECIPIENTS = ["+15550000001", "+15550000002", "+15550000003"];
const OWNED_NUMBERS = ["+15552221111", "+15552221112"];
const UNKNOWN_TYPES = ["message-foo", "message-queued", "message-expired"];

interface EventFields {
  type: string;
  to: string;
  time: string;
  direction: "in" | "out";
  recipients?: string[];
  errorCode?: number;
  description?: string;
  eventTime?: string;
}

/** A validated-shaped event of the one message these tests are about. */
function event(fields: EventFields): BandwidthEventOutput {
  const built: BandwidthEventOutput = {
    type: fields.type,
    time: fields.time,
    to: fields.to,
    description: fields.description ?? "ok",
    message: {
      id: "msg-status",
      owner: "+15552221111",
      applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
      time: "2024-09-14T18:20:00.000Z",
      segmentCount: 1,
      direction: fields.direction,
      to: fields.recipients ?? (fields.direction === "out" ? RECIPIENTS : [fields.to]),
      from: fields.direction === "out" ? "+15552221111" : "+15557778888",
      text: "",
    },
  };
  if (fields.errorCode !== undefined) built.errorCode = fields.errorCode;
  if (fields.eventTime !== undefined) built.eventTime = fields.eventTime;
  return built;
}

/** Identifies events the way the receiver does: the id comes from the dedup key. */
async function identify(...events: BandwidthEventOutput[]): Promise<IdentifiedEvent[]> {
  return Promise.all(events.map(async (item) => ({ eventId: await eventIdOf(item), event: item })));
}

// --- generators -------------------------------------------------------------------------------------------

/** Few distinct instants, written at different precisions and offsets, so that ties happen often. */
const timeArb = fc
  .record({
    second: fc.integer({ min: 10, max: 14 }),
    form: fc.constantFrom("Z", ".000Z", ".000000Z", ".500Z", "+02:00"),
  })
  .map(({ second, form }) =>
    form === "+02:00" ? `2024-09-14T20:20:${second}+02:00` : `2024-09-14T18:20:${second}${form}`,
  );

const errorCodeArb = fc.option(fc.constantFrom(9902, 4432, 4720, 5600, 9999), { nil: undefined });

const outboundEventArb = fc
  .record({
    type: fc.constantFrom<string>(...STATUS_EVENT_TYPES, ...UNKNOWN_TYPES),
    to: fc.constantFrom(...RECIPIENTS),
    time: timeArb,
    errorCode: errorCodeArb,
    description: fc.constantFrom("ok", "Message delivered to carrier.", "no receipt"),
    eventTime: fc.option(timeArb, { nil: undefined }),
  })
  .map((fields) => event({ ...fields, direction: "out", recipients: RECIPIENTS }));

const inboundEventArb = fc
  .record({
    type: fc.constantFrom<string>(...INBOUND_EVENT_TYPES, ...UNKNOWN_TYPES),
    to: fc.constantFrom(...OWNED_NUMBERS),
    time: timeArb,
    description: fc.constantFrom("Incoming message received", "ok"),
  })
  .map((fields) => event({ ...fields, direction: "in", recipients: OWNED_NUMBERS }));

/**
 * The distinct events of one message (outbound or inbound), identified by their dedup key. Events with the same
 * key are one event to the receiver (the first one stored wins), so a pool never holds two of them.
 */
const eventPoolArb = fc
  .oneof(
    {
      arbitrary: fc.uniqueArray(outboundEventArb, { minLength: 1, maxLength: 10, selector: dedupKey }),
      weight: 3,
    },
    {
      arbitrary: fc.uniqueArray(inboundEventArb, { minLength: 1, maxLength: 6, selector: dedupKey }),
      weight: 1,
    },
  )
  .map((events) => events.map((item): IdentifiedEvent => ({ eventId: dedupKey(item), event: item })));

/** Three non-empty subsets of one message's events. */
const threeStatesArb = eventPoolArb.chain((pool) =>
  fc
    .tuple(
      fc.subarray(pool, { minLength: 1 }),
      fc.subarray(pool, { minLength: 1 }),
      fc.subarray(pool, { minLength: 1 }),
    )
    .map(([a, b, c]): [MessageState, MessageState, MessageState] => [stateOf(a), stateOf(b), stateOf(c)]),
);

const RUNS = { numRuns: 1000 };

describe("join is a semilattice over the states of one message", () => {
  it("is commutative", ({ task }) => {
    assertCounted(
      task,
      fc.property(threeStatesArb, ([a, b]) => {
        expect(join(a, b)).toEqual(join(b, a));
      }),
      RUNS,
    );
  });

  it("is associative", ({ task }) => {
    assertCounted(
      task,
      fc.property(threeStatesArb, ([a, b, c]) => {
        expect(join(join(a, b), c)).toEqual(join(a, join(b, c)));
      }),
      RUNS,
    );
  });

  it("is idempotent", ({ task }) => {
    assertCounted(
      task,
      fc.property(threeStatesArb, ([a]) => {
        expect(join(a, a)).toEqual(a);
      }),
      RUNS,
    );
  });

  it("gives the same state for every arrival order with any duplicates of the same events", ({ task }) => {
    const arrivalArb = eventPoolArb.chain((pool) =>
      fc
        .array(fc.integer({ min: 0, max: pool.length - 1 }), { maxLength: 8 })
        .map((repeats) => [...pool, ...repeats.map((index) => pool[index] as IdentifiedEvent)])
        .chain((withDuplicates) =>
          fc.shuffledSubarray(withDuplicates, {
            minLength: withDuplicates.length,
            maxLength: withDuplicates.length,
          }),
        )
        .map((arrival) => ({ pool, arrival })),
    );
    assertCounted(
      task,
      fc.property(arrivalArb, ({ pool, arrival }) => {
        expect(stateOf(arrival)).toEqual(stateOf(pool));
      }),
      RUNS,
    );
  });

  it("never reports a status other than a known one, unknown or mixed", ({ task }) => {
    const known = new Set([
      ...["unknown", "mixed", "sending", "sent", "delivered", "failed", "read"],
      ...["received", "suggestion-response", "location-response"],
    ]);
    assertCounted(
      task,
      fc.property(eventPoolArb, (pool) => {
        const state = stateOf(pool);
        expect(known.has(overallStatus(state))).toBe(true);
      }),
      RUNS,
    );
  });
});

describe("state of a message", () => {
  const [alice, bob] = RECIPIENTS as [string, string];
  const group = [alice, bob];

  it("a group message with one delivered and one failed recipient is mixed, each recipient right, errorCode shown", async () => {
    const events = await identify(
      event({
        type: "message-delivered",
        to: alice,
        time: "2024-09-14T18:20:16Z",
        direction: "out",
        recipients: group,
      }),
      event({
        type: "message-failed",
        to: bob,
        time: "2024-09-14T18:20:17Z",
        direction: "out",
        recipients: group,
        errorCode: 4720,
        description: "carrier rejected",
      }),
    );
    const state = stateOf(events);
    expect(overallStatus(state)).toBe("mixed");
    const view = toMessageView(state, []);
    expect(view.status).toBe("mixed");
    expect(view.recipients).toEqual([
      { recipient: alice, status: "delivered", description: "ok", time: "2024-09-14T18:20:16Z" },
      {
        recipient: bob,
        status: "failed",
        errorCode: 4720,
        description: "carrier rejected",
        time: "2024-09-14T18:20:17Z",
      },
    ]);
  });

  it("a recipient that no event has reported on yet is unknown and makes the message mixed", async () => {
    const state = stateOf(
      await identify(
        event({
          type: "message-sent",
          to: alice,
          time: "2024-09-14T18:20:16Z",
          direction: "out",
          recipients: group,
        }),
      ),
    );
    expect(recipientStatus(state.recipients[alice])).toBe("sent");
    expect(recipientStatus(state.recipients[bob])).toBe("unknown");
    expect(overallStatus(state)).toBe("mixed");
  });

  describe("a 9902 failure followed by a later delivered ends delivered", () => {
    const failed = event({
      type: "message-failed",
      to: alice,
      time: "2024-09-14T18:20:16Z",
      direction: "out",
      errorCode: 9902,
      recipients: [alice],
    });
    const delivered = event({
      type: "message-delivered",
      to: alice,
      time: "2024-09-14T20:25:00Z",
      direction: "out",
      recipients: [alice],
    });

    it.each([
      ["failed first", [failed, delivered]],
      ["delivered first", [delivered, failed]],
    ])("when they arrive %s", async (_, arrival) => {
      const state = stateOf(await identify(...arrival));
      expect(recipientStatus(state.recipients[alice])).toBe("delivered");
      expect(overallStatus(state)).toBe("delivered");
      expect(state.recipients[alice]?.outcomes).toEqual(["delivered", "failed"]);
      expect(toMessageView(state, []).recipients[0]?.errorCode).toBeUndefined();
    });
  });

  it("a later failure beats an earlier delivered", async () => {
    const state = stateOf(
      await identify(
        event({
          type: "message-failed",
          to: alice,
          time: "2024-09-14T18:21:00Z",
          direction: "out",
          errorCode: 4720,
        }),
        event({ type: "message-delivered", to: alice, time: "2024-09-14T18:20:00Z", direction: "out" }),
      ),
    );
    expect(recipientStatus(state.recipients[alice])).toBe("failed");
  });

  it.each([
    ["delivered first", ["message-delivered", "message-failed"]],
    ["failed first", ["message-failed", "message-delivered"]],
  ])(
    "delivered and failed at the same instant: failed wins and the conflict stays visible (%s)",
    async (_, types) => {
      const times = ["2024-09-14T18:20:16Z", "2024-09-14T18:20:16.000000Z"];
      const events = await identify(
        ...types.map((type, index) =>
          event({
            type,
            to: alice,
            time: times[index] as string,
            direction: "out",
            recipients: [alice],
            ...(type === "message-failed" ? { errorCode: 4720 } : {}),
          }),
        ),
      );
      const state = stateOf(events);
      expect(recipientStatus(state.recipients[alice])).toBe("failed");
      expect(state.recipients[alice]?.outcomes).toEqual(["delivered", "failed"]);
      expect(toMessageView(state, []).recipients[0]).toMatchObject({
        status: "failed",
        errorCode: 4720,
        conflict: true,
      });
    },
  );

  it.each([
    ["read first", ["message-read", "message-delivered"]],
    ["delivered first", ["message-delivered", "message-read"]],
  ])("read beats delivered even when the read event's time is earlier (%s)", async (_, types) => {
    const times: Record<string, string> = {
      "message-read": "2024-09-14T18:20:16Z",
      "message-delivered": "2024-09-14T18:20:30Z",
    };
    const state = stateOf(
      await identify(
        ...types.map((type) => event({ type, to: alice, time: times[type] as string, direction: "out" })),
      ),
    );
    expect(recipientStatus(state.recipients[alice])).toBe("read");
  });

  it("an unknown type changes no status, even when it is the latest event", async () => {
    const sent = event({
      type: "message-sent",
      to: alice,
      time: "2024-09-14T18:20:16Z",
      direction: "out",
      recipients: [alice],
    });
    const unknown = event({
      type: "message-foo",
      to: alice,
      time: "2024-09-14T18:25:00Z",
      direction: "out",
      recipients: [alice],
    });
    const withUnknown = stateOf(await identify(sent, unknown));
    expect(recipientStatus(withUnknown.recipients[alice])).toBe("sent");
    expect(withUnknown.recipients).toEqual(stateOf(await identify(sent)).recipients);
  });

  it("an unknown type alone leaves its recipient unknown", async () => {
    const state = stateOf(
      await identify(
        event({
          type: "message-foo",
          to: alice,
          time: "2024-09-14T18:20:16Z",
          direction: "out",
          recipients: [alice],
        }),
      ),
    );
    expect(overallStatus(state)).toBe("unknown");
  });

  describe("sending < sent < delivered, whatever the arrival order and the times", () => {
    // Clock skew: the later status carries the earlier time.
    const events = [
      event({
        type: "message-sending",
        to: alice,
        time: "2024-09-14T18:20:18Z",
        direction: "out",
        recipients: [alice],
      }),
      event({
        type: "message-sent",
        to: alice,
        time: "2024-09-14T18:20:17Z",
        direction: "out",
        recipients: [alice],
      }),
      event({
        type: "message-delivered",
        to: alice,
        time: "2024-09-14T18:20:16Z",
        direction: "out",
        recipients: [alice],
      }),
    ];
    const permutations = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];

    it.each(permutations)("arrival order %i, %i, %i ends delivered", async (...order) => {
      const state = stateOf(await identify(...order.map((index) => events[index] as BandwidthEventOutput)));
      expect(overallStatus(state)).toBe("delivered");
    });

    it.each(permutations.map(([a, b]) => [a, b] as [number, number]).filter(([a, b]) => a !== 2 && b !== 2))(
      "without the delivered event, arrival order %i, %i ends sent",
      async (...order) => {
        const state = stateOf(await identify(...order.map((index) => events[index] as BandwidthEventOutput)));
        expect(overallStatus(state)).toBe("sent");
      },
    );
  });

  it("an inbound message is received, and its header is taken from the message", async () => {
    const [owned] = OWNED_NUMBERS as [string];
    const state = stateOf(
      await identify(
        event({ type: "message-received", to: owned, time: "2024-09-14T18:20:16Z", direction: "in" }),
      ),
    );
    expect(overallStatus(state)).toBe("received");
    expect(state.header).toMatchObject({
      id: "msg-status",
      direction: "in",
      from: "+15557778888",
      to: [owned],
    });
  });

  it("a single event's state lists every outbound recipient of the message", () => {
    const single = stateOfEvent({
      eventId: "evt_1",
      event: event({ type: "message-sent", to: alice, time: "2024-09-14T18:20:16Z", direction: "out" }),
    });
    expect(Object.keys(single.recipients).sort()).toEqual([...RECIPIENTS].sort());
  });

  it("a recipient named __proto__ is an ordinary recipient", async () => {
    const PROTO = "__proto__";
    const state = stateOf(
      await identify(
        event({
          type: "message-sent",
          to: PROTO,
          time: "2024-09-14T18:20:16Z",
          direction: "out",
          recipients: [PROTO],
        }),
      ),
    );
    expect(recipientStatus(state.recipients[PROTO])).toBe("sent");
    expect(overallStatus(state)).toBe("sent");
  });

  it("stateOf refuses an empty set", () => {
    expect(() => stateOf([])).toThrow(RangeError);
  });
});
