/**
 * Accepting a batch of one message's events (src/message/accept.ts): sequence numbers, duplicates, the joined
 * state and each event's recipient status.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { acceptEvents } from "../../src/message/accept.ts";
import type { IdentifiedEvent } from "../../src/message/status.ts";
import type { StoredMessage } from "../../src/message/tracker-sql.ts";
import { statusEvent } from "../helpers/events.ts";

const ID = "msg-accept-1";

function item(
  eventId: string,
  type: string,
  options: Parameters<typeof statusEvent>[1] = {},
): IdentifiedEvent {
  return { eventId, event: v.parse(BandwidthEventSchema, statusEvent(type, { id: ID, ...options })) };
}

describe("acceptEvents", () => {
  it("numbers new events 1, 2, 3 … in acceptance order, pending forwarding now", () => {
    const message: StoredMessage = { state: undefined, events: [] };
    expect(acceptEvents(message, [item("evt_a", "message-sending")], 1_000)).toEqual({
      accepted: 1,
      duplicate: [false],
    });
    acceptEvents(message, [item("evt_b", "message-delivered", { time: "2024-09-14T18:20:18.000Z" })], 2_000);
    expect(
      message.events.map((r) => [r.seq, r.eventId, r.forwardState, r.nextAttemptAt, r.acceptedAt]),
    ).toEqual([
      [1, "evt_a", "pending", 1_000, 1_000],
      [2, "evt_b", "pending", 2_000, 2_000],
    ]);
    expect(message.events.map((r) => r.statusAfter)).toEqual(["sending", "delivered"]);
  });

  it("counts a known event id as a duplicate on the stored event, also within one batch", () => {
    const message: StoredMessage = { state: undefined, events: [] };
    acceptEvents(message, [item("evt_a", "message-sending")], 1_000);
    const result = acceptEvents(
      message,
      [item("evt_a", "message-sending"), item("evt_b", "message-sent")],
      2_000,
    );
    expect(result).toEqual({ accepted: 1, duplicate: [true, false] });
    const again = acceptEvents(
      message,
      [item("evt_b", "message-sent"), item("evt_b", "message-sent")],
      3_000,
    );
    expect(again).toEqual({ accepted: 0, duplicate: [true, true] });
    expect(message.events.map((r) => [r.eventId, r.duplicates])).toEqual([
      ["evt_a", 1],
      ["evt_b", 2],
    ]);
  });

  it("joins each new event into the state, whatever order they arrive in", () => {
    const message: StoredMessage = { state: undefined, events: [] };
    acceptEvents(message, [item("evt_d", "message-delivered", { time: "2024-09-14T18:20:18.000Z" })], 1);
    acceptEvents(message, [item("evt_s", "message-sending", { time: "2024-09-14T18:20:16.000Z" })], 2);
    expect(message.state?.header.id).toBe(ID);
    // The late sending event does not move the recipient back: its status after it is still delivered.
    expect(message.events.map((r) => r.statusAfter)).toEqual(["delivered", "delivered"]);
  });
});
