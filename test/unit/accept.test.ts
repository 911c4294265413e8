/**
 * Accepting a batch of one message's events (src/message/accept.ts): sequence numbers, duplicates, the joined
 * state, each event's recipient status, quarantine, and the message's storage budget.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BandwidthEventSchema, type EventEnvelope } from "../../src/bandwidth/schema.ts";
import { acceptEvents, countOutcomes, type IngestItem } from "../../src/message/accept.ts";
import {
  assertGrowthFits,
  GROWN_MESSAGE_BYTES,
  MESSAGE_BUDGET_BYTES,
  MessageTooLargeError,
  RECORD_HEADROOM_BYTES,
  usedBytes,
} from "../../src/message/budget.ts";
import type { StoredMessage } from "../../src/message/records.ts";
import { statusEvent } from "../helpers/events.ts";

const ID = "msg-accept-1";

function item(eventId: string, type: string, options: Parameters<typeof statusEvent>[1] = {}): IngestItem {
  return {
    eventId,
    valid: true,
    event: v.parse(BandwidthEventSchema, statusEvent(type, { id: ID, ...options })),
  };
}

function invalidItem(eventId: string): IngestItem {
  const raw = { ...statusEvent("message-sent", { id: ID }), segmentCount: "one" } as unknown as EventEnvelope;
  return {
    eventId,
    valid: false,
    raw,
    issues: [{ path: "message.segmentCount", message: "must be a number" }],
  };
}

const empty = (): StoredMessage => ({ state: undefined, events: [] });

describe("acceptEvents", () => {
  it("numbers new events 1, 2, 3 … in acceptance order, pending forwarding now", () => {
    const message = empty();
    expect(acceptEvents(message, [item("evt_a", "message-sending")], { now: 1_000 }).outcomes).toEqual([
      { kind: "accepted" },
    ]);
    acceptEvents(message, [item("evt_b", "message-delivered", { time: "2024-09-14T18:20:18.000Z" })], {
      now: 2_000,
    });
    expect(
      message.events.map((r) => [
        r.seq,
        r.eventId,
        r.deliveries.default?.state,
        r.deliveries.default?.nextAttemptAt,
        r.acceptedAt,
      ]),
    ).toEqual([
      [1, "evt_a", "pending", 1_000, 1_000],
      [2, "evt_b", "pending", 2_000, 2_000],
    ]);
    expect(message.events.map((r) => r.statusAfter)).toEqual(["sending", "delivered"]);
  });

  it("counts a known event id as a duplicate on the stored event, also within one batch", () => {
    const message = empty();
    acceptEvents(message, [item("evt_a", "message-sending")], { now: 1_000 });
    const result = acceptEvents(message, [item("evt_a", "message-sending"), item("evt_b", "message-sent")], {
      now: 2_000,
    });
    expect(result.outcomes.map((o) => o.kind)).toEqual(["duplicate", "accepted"]);
    const again = acceptEvents(message, [item("evt_b", "message-sent"), item("evt_b", "message-sent")], {
      now: 3_000,
    });
    expect(countOutcomes(again.outcomes)).toEqual({ accepted: 0, duplicate: 2, quarantined: 0 });
    expect(message.events.map((r) => [r.eventId, r.duplicates])).toEqual([
      ["evt_a", 1],
      ["evt_b", 2],
    ]);
  });

  it("joins each new event into the state, whatever order they arrive in", () => {
    const message = empty();
    acceptEvents(message, [item("evt_d", "message-delivered", { time: "2024-09-14T18:20:18.000Z" })], {
      now: 1,
    });
    acceptEvents(message, [item("evt_s", "message-sending", { time: "2024-09-14T18:20:16.000Z" })], {
      now: 2,
    });
    expect(message.state?.header.id).toBe(ID);
    // The late sending event does not move the recipient back: its status after it is still delivered.
    expect(message.events.map((r) => r.statusAfter)).toEqual(["delivered", "delivered"]);
  });

  it("holds an invalid event in quarantine without touching the state, and counts its retry as a duplicate", () => {
    const message = empty();
    const first = acceptEvents(message, [invalidItem("evt_q")], { now: 5 });
    expect(first.outcomes).toEqual([
      { kind: "quarantined", issues: [{ path: "message.segmentCount", message: "must be a number" }] },
    ]);
    expect(first.quarantined.map((r) => [r.eventId, r.type, r.quarantinedAt])).toEqual([
      ["evt_q", "message-sent", 5],
    ]);
    expect(message).toEqual(empty());
    const retry = acceptEvents(message, [invalidItem("evt_q")], { now: 6, held: new Set(["evt_q"]) });
    expect(retry.outcomes).toEqual([{ kind: "duplicate" }]);
    expect(retry.heldDuplicates).toEqual(["evt_q"]);
    expect(retry.quarantined).toEqual([]);
  });

  it("accepts a held event once it arrives valid, as if it had just arrived", () => {
    const message = empty();
    const result = acceptEvents(message, [item("evt_q", "message-sent")], {
      now: 7,
      held: new Set(["evt_q"]),
    });
    expect(result.outcomes).toEqual([{ kind: "accepted" }]);
    expect(message.events.map((r) => [r.seq, r.eventId, r.deliveries.default?.state])).toEqual([
      [1, "evt_q", "pending"],
    ]);
  });

  it("quarantines an event that would take the message over its budget, and keeps every accepted one", () => {
    const message = empty();
    const budgetBytes = 4_000;
    const batch = Array.from({ length: 20 }, (_, n) =>
      item(`evt_${n}`, "message-sending", { time: `2024-09-14T18:20:${String(10 + n).padStart(2, "0")}Z` }),
    );
    const result = acceptEvents(message, batch, { now: 1, budgetBytes });
    const counts = countOutcomes(result.outcomes);
    expect(counts.accepted).toBeGreaterThan(0);
    expect(counts.quarantined).toBe(20 - counts.accepted);
    expect(result.outcomes.at(-1)).toEqual({
      kind: "quarantined",
      issues: [{ path: "", message: "too large: the message's storage budget (4000 bytes) is full" }],
    });
    // What was accepted fits, headroom for every record's forwarding state included.
    expect(usedBytes(message)).toBeLessThanOrEqual(budgetBytes);
    expect(message.events).toHaveLength(counts.accepted);
    // Once full, a retry of an accepted event is still a duplicate, not a quarantined event.
    const retry = acceptEvents(message, [batch[0] as IngestItem], { now: 2, budgetBytes });
    expect(retry.outcomes).toEqual([{ kind: "duplicate" }]);
  });

  it("counts a retry of an event held as too large as a duplicate, not as a new quarantine", () => {
    const message = empty();
    const batch = Array.from({ length: 20 }, (_, n) =>
      item(`evt_${n}`, "message-sending", { time: `2024-09-14T18:20:${String(10 + n).padStart(2, "0")}Z` }),
    );
    const first = acceptEvents(message, batch, { now: 1, budgetBytes: 4_000 });
    const held = first.quarantined.map((record) => record.eventId);
    expect(held.length).toBeGreaterThan(0);
    const last = batch.at(-1) as IngestItem;
    const retry = acceptEvents(message, [last], { now: 2, budgetBytes: 4_000, held: new Set(held) });
    expect(retry.outcomes).toEqual([{ kind: "duplicate" }]);
    expect(retry.heldDuplicates).toEqual([last.eventId]);
    expect(retry.quarantined).toEqual([]);
  });

  it("budgets well under the platform's 2 MB row, with headroom for each record", () => {
    expect(MESSAGE_BUDGET_BYTES).toBeLessThanOrEqual(1024 * 1024);
    expect(RECORD_HEADROOM_BYTES).toBeGreaterThanOrEqual(400);
  });
});

describe("assertGrowthFits", () => {
  it("lets a message grow after acceptance up to its budget plus half a megabyte, and refuses past it", () => {
    const message = empty();
    acceptEvents(message, [item("evt_a", "message-sending")], { now: 1 });
    expect(() => assertGrowthFits(message)).not.toThrow();
    const [record] = message.events;
    if (!record) throw new Error("expected a record");
    // As if a replay had added a huge number of destinations to the one event.
    for (let n = 0; n < Math.ceil(GROWN_MESSAGE_BYTES / RECORD_HEADROOM_BYTES) + 1; n++) {
      record.deliveries[`d${n}`] = {
        ...(record.deliveries.default as NonNullable<typeof record.deliveries.default>),
      };
    }
    expect(() => assertGrowthFits(message)).toThrow(MessageTooLargeError);
  });
});
