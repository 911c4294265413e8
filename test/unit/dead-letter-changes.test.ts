/**
 * What a message tells the dead-letter list (src/forward/dead-letter-changes.ts): an entry per event that
 * died, a removal per event redelivered or expiring, and clearing only the work that was sent.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import { clearDeadLetterWork, deadLetterChanges } from "../../src/forward/dead-letter-changes.ts";
import { acceptEvents } from "../../src/message/accept.ts";
import type { StoredMessage } from "../../src/message/records.ts";
import { statusEvent } from "../helpers/events.ts";

function messageWith(count: number): StoredMessage {
  const message: StoredMessage = { state: undefined, events: [] };
  const items = Array.from({ length: count }, (_, n) => ({
    eventId: `evt_${n}`,
    valid: true as const,
    event: v.parse(
      BandwidthEventSchema,
      statusEvent("message-sending", { id: "msg-dl", time: `2024-09-14T18:20:1${n}Z` }),
    ),
  }));
  acceptEvents(message, items, { now: 1 });
  return message;
}

describe("deadLetterChanges", () => {
  it("adds an entry for each delivery marked add and removes each marked remove, per destination", () => {
    const message = messageWith(3);
    const [a, b] = message.events;
    if (!a?.deliveries.default || !b?.deliveries.default) throw new Error("expected records");
    Object.assign(a.deliveries.default, { deadIndex: "add", attempts: 4, lastError: "HTTP 400" });
    a.deliveries.crm = { ...a.deliveries.default, lastError: "HTTP 410" };
    b.deliveries.default.deadIndex = "remove";
    const changes = deadLetterChanges("msg-dl", message.events, 99);
    const entry = {
      eventId: "evt_0",
      messageId: "msg-dl",
      sequence: 1,
      type: "message-sending",
      attempts: 4,
      deadAt: 99,
    };
    expect(changes.added).toEqual([
      { ...entry, destination: "default", lastError: "HTTP 400" },
      { ...entry, destination: "crm", lastError: "HTTP 410" },
    ]);
    expect(changes.removed).toEqual([{ eventId: "evt_1", destination: "default" }]);
    expect(changes.work).toEqual([
      { seq: 1, destination: "default", deadIndex: "add" },
      { seq: 1, destination: "crm", deadIndex: "add" },
      { seq: 2, destination: "default", deadIndex: "remove" },
    ]);
  });

  it("clears only the work that was sent: a delivery re-marked meanwhile keeps its new work", () => {
    const message = messageWith(2);
    const [a, b] = message.events;
    if (!a?.deliveries.default || !b?.deliveries.default) throw new Error("expected records");
    a.deliveries.default.deadIndex = "add";
    b.deliveries.default.deadIndex = "add";
    const changes = deadLetterChanges("msg-dl", message.events, 1);
    b.deliveries.default.deadIndex = "remove";
    clearDeadLetterWork(message.events, changes.work);
    expect(message.events.map((r) => r.deliveries.default?.deadIndex)).toEqual([null, "remove"]);
  });
});
