/**
 * Reconciliation's schedule (src/message/reconcile.ts): which recipients still need a lookup, when the
 * lookups happen, how failed lookups back off, and when a message is given up on.
 */
import { describe, expect, it } from "vitest";
import type { BandwidthEventOutput } from "../../src/bandwidth/schema.ts";
import {
  FINAL_GRACE_MS,
  giveUpRecord,
  lookupOffsets,
  NO_LOOKUPS,
  nextSlotAt,
  type ReconcileProgress,
  reconcileDecision,
  recordLookup,
  unsettledRecipients,
} from "../../src/message/reconcile.ts";
import { type MessageState, stateOf } from "../../src/message/status.ts";
import { inboundEvent, statusEvent } from "../helpers/events.ts";

const HOUR = 3_600_000;
const SETTINGS = { afterMs: 3 * HOUR, maxAgeMs: 72 * HOUR };
const MESSAGE_TIME = Date.parse("2024-09-14T18:20:15.000Z");
const RECIPIENTS = ["+15550000001", "+15550000002", "+15550000003"];

function stateFrom(events: unknown[]): MessageState {
  return stateOf(events.map((event, i) => ({ eventId: `evt_${i}`, event: event as BandwidthEventOutput })));
}

/** A group message: the first recipient delivered, the second read, the third only sent. */
function groupState(): MessageState {
  const id = "msg-group";
  return stateFrom([
    statusEvent("message-sent", { id, to: RECIPIENTS[0], recipients: RECIPIENTS, step: 1 }),
    statusEvent("message-delivered", { id, to: RECIPIENTS[0], recipients: RECIPIENTS, step: 2 }),
    statusEvent("message-read", { id, to: RECIPIENTS[1], recipients: RECIPIENTS, step: 3 }),
    statusEvent("message-sent", { id, to: RECIPIENTS[2], recipients: RECIPIENTS, step: 4 }),
  ]);
}

describe("unsettledRecipients", () => {
  it("lists the outbound recipients without delivered, failed or read, unreported ones included", () => {
    expect(unsettledRecipients(groupState())).toEqual([RECIPIENTS[2]]);
    const onlySending = stateFrom([
      statusEvent("message-sending", { id: "m", to: RECIPIENTS[0], recipients: RECIPIENTS }),
    ]);
    expect(unsettledRecipients(onlySending)).toEqual(RECIPIENTS);
  });

  it("counts a failed recipient as settled (9902 included: a later delivered may still come)", () => {
    const state = stateFrom([statusEvent("message-failed", { id: "m", errorCode: 9902 })]);
    expect(unsettledRecipients(state)).toEqual([]);
  });

  it("never reconciles an inbound message", () => {
    expect(unsettledRecipients(stateFrom([inboundEvent({ id: "in" })]))).toEqual([]);
  });
});

describe("the lookup schedule", () => {
  it("starts RECONCILE_AFTER_HOURS after the message, doubles its gaps from 1 h, ends at the max age", () => {
    expect(lookupOffsets(SETTINGS).map((offset) => offset / HOUR)).toEqual([3, 4, 6, 10, 18, 34, 58, 72]);
  });

  it("caps the gap at a day", () => {
    const offsets = lookupOffsets({ afterMs: 3 * HOUR, maxAgeMs: 200 * HOUR }).map((offset) => offset / HOUR);
    expect(offsets).toEqual([3, 4, 6, 10, 18, 34, 58, 82, 106, 130, 154, 178, 200]);
  });

  it("asks at the max age once even when it is close after the first slot", () => {
    expect(lookupOffsets({ afterMs: 3 * HOUR, maxAgeMs: 3.5 * HOUR }).map((o) => o / HOUR)).toEqual([3, 3.5]);
  });

  it("takes the first slot after the last answered lookup, so a late alarm does not ask twice in a row", () => {
    const progress = { ...NO_LOOKUPS, lookups: 1, lastLookupAt: MESSAGE_TIME + 20 * HOUR };
    expect(nextSlotAt(MESSAGE_TIME, progress, SETTINGS)).toBe(MESSAGE_TIME + 34 * HOUR);
    expect(nextSlotAt(MESSAGE_TIME, NO_LOOKUPS, SETTINGS)).toBe(MESSAGE_TIME + 3 * HOUR);
    const done = { ...NO_LOOKUPS, lastLookupAt: MESSAGE_TIME + 72 * HOUR };
    expect(nextSlotAt(MESSAGE_TIME, done, SETTINGS)).toBeUndefined();
  });
});

describe("reconcileDecision", () => {
  const decide = (now: number, progress: ReconcileProgress = NO_LOOKUPS, state = groupState()) =>
    reconcileDecision({ state, messageTimeMs: MESSAGE_TIME, progress, settings: SETTINGS, now });

  it("waits until RECONCILE_AFTER_HOURS have passed since message.time", () => {
    expect(decide(MESSAGE_TIME + HOUR)).toEqual({ kind: "wait", at: MESSAGE_TIME + 3 * HOUR });
  });

  it("looks up the unsettled recipients once the slot has come", () => {
    expect(decide(MESSAGE_TIME + 3 * HOUR)).toEqual({ kind: "lookup", recipients: [RECIPIENTS[2]] });
  });

  it("has nothing to do once every recipient is settled", () => {
    const settled = stateFrom([statusEvent("message-delivered", { id: "m" })]);
    expect(decide(MESSAGE_TIME + 10 * HOUR, NO_LOOKUPS, settled)).toEqual({ kind: "none" });
  });

  it("after an answered lookup, waits for the next slot", () => {
    const progress = recordLookup(NO_LOOKUPS, { answered: true }, MESSAGE_TIME + 3 * HOUR + 5_000);
    expect(decide(MESSAGE_TIME + 3 * HOUR + 6_000, progress)).toEqual({
      kind: "wait",
      at: MESSAGE_TIME + 4 * HOUR,
    });
  });

  it("honours a 429's Retry-After over the slot", () => {
    const now = MESSAGE_TIME + 3 * HOUR;
    const progress = recordLookup(
      NO_LOOKUPS,
      { answered: false, kind: "rate-limited", retryAfterMs: 1_800_000 },
      now,
    );
    expect(decide(now + 1000, progress)).toEqual({ kind: "wait", at: now + 1_800_000 });
    expect(decide(now + 1_800_000, progress)).toMatchObject({ kind: "lookup" });
  });

  it("gives up once every slot, the last at the max age, has been answered", () => {
    const progress = { ...NO_LOOKUPS, lookups: 8, lastLookupAt: MESSAGE_TIME + 72 * HOUR + 1 };
    expect(decide(MESSAGE_TIME + 72 * HOUR + 2, progress)).toEqual({
      kind: "give-up",
      recipients: [RECIPIENTS[2]],
    });
  });

  it("retries a failing last lookup for a grace period, then gives up", () => {
    const progress = recordLookup(
      NO_LOOKUPS,
      { answered: false, kind: "unavailable" },
      MESSAGE_TIME + 72 * HOUR,
    );
    expect(decide(MESSAGE_TIME + 72 * HOUR + 10 * 60_000, progress)).toMatchObject({ kind: "lookup" });
    expect(decide(MESSAGE_TIME + 72 * HOUR + FINAL_GRACE_MS, progress)).toMatchObject({ kind: "give-up" });
  });
});

describe("recordLookup", () => {
  it("counts an answer and clears failures", () => {
    const failed = recordLookup(NO_LOOKUPS, { answered: false, kind: "unavailable" }, 0);
    expect(recordLookup(failed, { answered: true }, 1000)).toEqual({
      lookups: 1,
      lastLookupAt: 1000,
      failures: 0,
      lastOutcome: "answered",
    });
  });

  it("backs off failures from 5 minutes, doubling, up to an hour, without counting a lookup", () => {
    let progress = NO_LOOKUPS;
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      progress = recordLookup(progress, { answered: false, kind: "unavailable" }, 0);
      waits.push((progress.notBefore ?? 0) / 60_000);
    }
    expect(waits).toEqual([5, 10, 20, 40, 60, 60]);
    expect(progress).toMatchObject({ lookups: 0, failures: 6, lastOutcome: "unavailable" });
  });
});

describe("giveUpRecord", () => {
  it("says which recipients were left, after how many lookups, and the last outcome", () => {
    const progress = recordLookup(NO_LOOKUPS, { answered: true }, 5);
    expect(
      giveUpRecord({
        messageId: "msg-group",
        recipients: [RECIPIENTS[2] as string],
        messageTime: "2024-09-14T18:20:15.000Z",
        progress,
        now: 10,
      }),
    ).toEqual({
      messageId: "msg-group",
      recipients: [RECIPIENTS[2]],
      messageTime: "2024-09-14T18:20:15.000Z",
      givenUpAt: 10,
      lookups: 1,
      lastOutcome: "answered",
    });
  });
});
