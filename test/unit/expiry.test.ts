/**
 * Retention as pure decisions (src/message/expiry.ts): never while anything is pending, only after the
 * retention has passed since the last activity; dead events are taken off the dead-letter list first.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { acceptEvents } from "../../src/message/accept.ts";
import { isExpired, markDeadForRemoval } from "../../src/message/expiry.ts";
import type { StoredMessage } from "../../src/message/records.ts";
import { statusEvent } from "../helpers/events.ts";

describe("isExpired", () => {
  const base = { updatedAt: 1_000, retentionMs: 500, now: 1_500 };

  it("expires once the retention has passed since the last activity, and not a millisecond before", () => {
    expect(isExpired({ ...base, pending: false })).toBe(true);
    expect(isExpired({ ...base, pending: false, now: 1_499 })).toBe(false);
  });

  it("never expires while an event is pending, however old", () => {
    expect(isExpired({ ...base, pending: true, now: 1e12 })).toBe(false);
  });

  it("never expires a message without activity", () => {
    expect(isExpired({ ...base, pending: false, updatedAt: undefined })).toBe(false);
  });
});

describe("markDeadForRemoval", () => {
  it("marks exactly the dead events for removal from the dead-letter list", () => {
    const message: StoredMessage = { state: undefined, events: [] };
    const items = ["message-sending", "message-sent", "message-delivered"].map((type, n) => ({
      eventId: `evt_${n}`,
      valid: true as const,
      event: v.parse(
        BandwidthEventSchema,
        statusEvent(type, { id: "msg-expiry", time: `2024-09-14T18:20:1${n}Z` }),
      ),
    }));
    acceptEvents(message, items, { now: 1 });
    const [first, second] = message.events;
    if (!first || !second) throw new Error("expected records");
    Object.assign(first.deliveries.default ?? {}, { state: "dead" });
    Object.assign(second.deliveries.default ?? {}, { state: "delivered" });
    markDeadForRemoval(message.events);
    expect(message.events.map((r) => r.deliveries.default?.deadIndex)).toEqual(["remove", null, null]);
  });
});
