/**
 * A List Messages answer → the events reconciliation records (src/message/reconciled-event.ts): shaped like
 * Bandwidth's callbacks so that they pass the same schema, dedup and status join as any other event.
 */
import { describe, expect, it } from "vitest";
import type { ListMessageItem } from "../../src/bandwidth/list-messages.ts";
import { checkEvent } from "../../src/bandwidth/parse.ts";
import type { BandwidthEventOutput, EventEnvelope } from "../../src/bandwidth/schema.ts";
import { acceptEvents } from "../../src/message/accept.ts";
import { dedupKey } from "../../src/message/event-id.ts";
import {
  isReconciled,
  RECONCILIATION_SOURCE,
  reconciledEvents,
  terminalTypeOf,
  toIngestItems,
} from "../../src/message/reconciled-event.ts";
import type { StoredMessage } from "../../src/message/records.ts";
import { type MessageState, recipientStatus, stateOf } from "../../src/message/status.ts";
import { statusEvent } from "../helpers/events.ts";

const ID = "msg-reconcile";
const RECIPIENTS = ["+15550000001", "+15550000002"];
const MESSAGE_TIME = "2024-09-14T18:20:15.000Z";
const NOW = Date.parse("2024-09-14T21:20:15.000Z");

function sent(to: string, step: number): BandwidthEventOutput {
  const checked = checkEvent(
    statusEvent("message-sent", { id: ID, to, recipients: RECIPIENTS, step }) as EventEnvelope,
  );
  if (!checked.valid) throw new Error("test event is invalid");
  return checked.event;
}

function sentState(): MessageState {
  return stateOf(RECIPIENTS.map((to, i) => ({ eventId: `evt_sent_${i}`, event: sent(to, i) })));
}

function item(
  destinationTn: string,
  messageStatus: string,
  extra: Partial<ListMessageItem> = {},
): ListMessageItem {
  return { messageId: ID, destinationTn, messageStatus, errorCode: 0, carrierName: "other", ...extra };
}

function reconcile(items: ListMessageItem[], state = sentState()) {
  return reconciledEvents({ state, messageTime: MESSAGE_TIME, recipients: RECIPIENTS, items, now: NOW });
}

describe("terminalTypeOf", () => {
  it.each([
    ["DELIVERED", "message-delivered"],
    ["FAILED", "message-failed"],
    ["UNDELIVERED", "message-failed"],
    ["DLR_EXPIRED", "message-failed"],
    ["delivered", "message-delivered"],
  ])("%s → %s", (status, type) => {
    expect(terminalTypeOf(status)).toBe(type);
  });

  it.each(["QUEUED", "SENDING", "SENT", "ACCEPTED", "RECEIVED", "SOMETHING_NEW"])(
    "%s is not terminal",
    (status) => {
      expect(terminalTypeOf(status)).toBeUndefined();
    },
  );
});

describe("reconciledEvents", () => {
  it("makes a callback-shaped message-delivered event with source, messageStatus and the message's fields", () => {
    const { events, stillUnsettled } = reconcile([item(RECIPIENTS[0] as string, "DELIVERED")]);
    expect(stillUnsettled).toEqual([RECIPIENTS[1]]);
    expect(events).toHaveLength(1);
    expect(events[0]).toEqual({
      type: "message-delivered",
      time: MESSAGE_TIME,
      to: RECIPIENTS[0],
      description: "reconciled from Bandwidth's List Messages API: DELIVERED",
      message: {
        id: ID,
        owner: "+15552221111",
        applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
        time: MESSAGE_TIME,
        segmentCount: 1,
        direction: "out",
        to: RECIPIENTS,
        from: "+15552221111",
      },
      source: RECONCILIATION_SOURCE,
      messageStatus: "DELIVERED",
      reconciledAt: new Date(NOW).toISOString(),
      carrierName: "other",
    });
    expect(isReconciled(events[0] as BandwidthEventOutput)).toBe(true);
  });

  it("carries Bandwidth's error code on a failure, and 9902 for DLR_EXPIRED without one", () => {
    const { events } = reconcile([
      item(RECIPIENTS[0] as string, "FAILED", { errorCode: 4720 }),
      item(RECIPIENTS[1] as string, "DLR_EXPIRED", { errorCode: null }),
    ]);
    expect(events.map((event) => [event.type, event.errorCode])).toEqual([
      ["message-failed", 4720],
      ["message-failed", 9902],
    ]);
  });

  it("ignores items that are not terminal, of another message, or of a recipient not asked about", () => {
    const { events, stillUnsettled } = reconcile([
      item(RECIPIENTS[0] as string, "SENT"),
      { ...item(RECIPIENTS[1] as string, "DELIVERED"), messageId: "another-message" },
      item("+15559999999", "DELIVERED"),
    ]);
    expect(events).toEqual([]);
    expect(stillUnsettled).toEqual(RECIPIENTS);
  });

  it("gives the same event for the same answer read again: a duplicate by the dedup key", () => {
    const first = reconcile([item(RECIPIENTS[0] as string, "DELIVERED")]).events[0] as BandwidthEventOutput;
    const again = reconciledEvents({
      state: sentState(),
      messageTime: MESSAGE_TIME,
      recipients: RECIPIENTS,
      items: [item(RECIPIENTS[0] as string, "DELIVERED")],
      now: NOW + 3_600_000,
    }).events[0] as BandwidthEventOutput;
    expect(dedupKey(again)).toBe(dedupKey(first));
  });
});

describe("a reconciled event joins the state like any event", () => {
  function storedSent(): StoredMessage {
    const message: StoredMessage = { state: undefined, events: [] };
    acceptEvents(
      message,
      RECIPIENTS.map((to, i) => ({ eventId: `evt_sent_${i}`, valid: true as const, event: sent(to, i) })),
      { now: NOW },
    );
    return message;
  }

  it("settles the recipient, and the same answer accepted again is a duplicate", async () => {
    const message = storedSent();
    const { events } = reconcile([item(RECIPIENTS[0] as string, "DELIVERED")]);
    const items = await toIngestItems(events);
    const first = acceptEvents(message, items, { now: NOW });
    expect(first.outcomes).toEqual([{ kind: "accepted" }]);
    expect(recipientStatus(message.state?.recipients[RECIPIENTS[0] as string])).toBe("delivered");
    expect(message.events.at(-1)?.statusAfter).toBe("delivered");
    const again = acceptEvents(message, await toIngestItems(events), { now: NOW + 1 });
    expect(again.outcomes).toEqual([{ kind: "duplicate" }]);
  });

  it("is outranked by a real terminal callback, which always comes later than the message's time", () => {
    const message = storedSent();
    const reconciled = reconcile([item(RECIPIENTS[0] as string, "DELIVERED")]).events;
    const real = checkEvent(
      statusEvent("message-failed", {
        id: ID,
        to: RECIPIENTS[0],
        recipients: RECIPIENTS,
        step: 5,
        errorCode: 4720,
      }) as EventEnvelope,
    );
    if (!real.valid) throw new Error("test event is invalid");
    acceptEvents(
      message,
      [{ eventId: "evt_reconciled", valid: true, event: reconciled[0] as BandwidthEventOutput }],
      { now: NOW },
    );
    acceptEvents(message, [{ eventId: "evt_real", valid: true, event: real.event }], { now: NOW });
    expect(recipientStatus(message.state?.recipients[RECIPIENTS[0] as string])).toBe("failed");
  });
});
