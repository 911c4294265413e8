/**
 * One reconciliation step of a message's alarm (src/message/reconcile-step.ts) with a stubbed List Messages:
 * at most one call, its answer turned into events that settle the state, a 429 turned into a later wake.
 */
import { describe, expect, it } from "vitest";
import type { BandwidthApi } from "../../src/bandwidth/api-client.ts";
import type { ApiResult } from "../../src/bandwidth/api-result.ts";
import type { ListMessageItem, MessagesList } from "../../src/bandwidth/list-messages.ts";
import { checkEvent } from "../../src/bandwidth/parse.ts";
import type { EventEnvelope } from "../../src/bandwidth/schema.ts";
import { acceptEvents } from "../../src/message/accept.ts";
import { NO_LOOKUPS, reconcileDecision } from "../../src/message/reconcile.ts";
import { reconcileStep, reconcileWake } from "../../src/message/reconcile-step.ts";
import type { StoredMessage } from "../../src/message/records.ts";
import { recipientStatus } from "../../src/message/status.ts";
import { statusEvent } from "../helpers/events.ts";

const HOUR = 3_600_000;
const ID = "msg-step";
const RECIPIENTS = ["+15550000001", "+15550000002"];
const MESSAGE_TIME = "2024-09-14T18:20:15.000Z";
const T = Date.parse(MESSAGE_TIME);
const SETTINGS = { afterMs: 3 * HOUR, maxAgeMs: 72 * HOUR };

function sentMessage(): StoredMessage {
  const message: StoredMessage = { state: undefined, events: [] };
  const items = RECIPIENTS.map((to, i) => {
    const checked = checkEvent(
      statusEvent("message-sent", { id: ID, to, recipients: RECIPIENTS, step: i }) as EventEnvelope,
    );
    if (!checked.valid) throw new Error("invalid test event");
    return { eventId: `evt_${i}`, valid: true as const, event: checked.event };
  });
  acceptEvents(message, items, { now: T });
  return message;
}

function stubApi(answers: Array<ApiResult<MessagesList>>) {
  const calls: Array<[string, string]> = [];
  const api: BandwidthApi = {
    mayReceiveToken: () => true,
    fetchMedia: () => Promise.reject(new Error("not used")),
    listMessages: async (accountId, messageId) => {
      calls.push([accountId, messageId]);
      return answers.shift() ?? { ok: true, value: { items: [], unreadable: 0 } };
    },
  };
  return { api, calls };
}

const delivered = (to: string): ListMessageItem => ({
  messageId: ID,
  destinationTn: to,
  messageStatus: "DELIVERED",
});

describe("reconcileStep", () => {
  it("waits, without a call, until the first lookup is due", async () => {
    const { api, calls } = stubApi([]);
    const message = sentMessage();
    const step = await reconcileStep(
      {
        state: message.state as NonNullable<StoredMessage["state"]>,
        messageTime: MESSAGE_TIME,
        progress: NO_LOOKUPS,
        now: T + HOUR,
      },
      { api, accountId: "9900000", settings: SETTINGS },
    );
    expect(step).toEqual({ kind: "wait", at: T + 3 * HOUR });
    expect(calls).toEqual([]);
  });

  it("asks once when due; what Bandwidth reports as delivered settles that recipient", async () => {
    const { api, calls } = stubApi([
      { ok: true, value: { items: [delivered(RECIPIENTS[0] as string)], unreadable: 0 } },
    ]);
    const message = sentMessage();
    const now = T + 3 * HOUR;
    const step = await reconcileStep(
      {
        state: message.state as NonNullable<StoredMessage["state"]>,
        messageTime: MESSAGE_TIME,
        progress: NO_LOOKUPS,
        now,
      },
      { api, accountId: "9900000", settings: SETTINGS },
    );
    expect(calls).toEqual([["9900000", ID]]);
    if (step.kind !== "answered") throw new Error(`expected answered, got ${step.kind}`);
    expect(step.progress).toEqual({ lookups: 1, lastLookupAt: now, failures: 0, lastOutcome: "answered" });
    expect(step.stillUnsettled).toEqual([RECIPIENTS[1]]);
    expect(acceptEvents(message, step.items, { now }).outcomes).toEqual([{ kind: "accepted" }]);
    const state = message.state as NonNullable<StoredMessage["state"]>;
    expect(recipientStatus(state.recipients[RECIPIENTS[0] as string])).toBe("delivered");
    const next = reconcileDecision({
      state,
      messageTimeMs: T,
      progress: step.progress,
      settings: SETTINGS,
      now,
    });
    expect(reconcileWake(next, now)).toBe(T + 4 * HOUR);
  });

  it("turns a 429 into a failed step whose next wake honours Retry-After", async () => {
    const { api } = stubApi([{ ok: false, kind: "rate-limited", status: 429, retryAfterMs: 20 * 60_000 }]);
    const message = sentMessage();
    const now = T + 3 * HOUR;
    const state = message.state as NonNullable<StoredMessage["state"]>;
    const step = await reconcileStep(
      { state, messageTime: MESSAGE_TIME, progress: NO_LOOKUPS, now },
      { api, accountId: "9900000", settings: SETTINGS },
    );
    expect(step).toMatchObject({
      kind: "failed",
      failure: "rate-limited",
      progress: { failures: 1, lookups: 0 },
    });
    if (step.kind !== "failed") return;
    const next = reconcileDecision({
      state,
      messageTimeMs: T,
      progress: step.progress,
      settings: SETTINGS,
      now,
    });
    expect(reconcileWake(next, now)).toBe(now + 20 * 60_000);
  });

  it("gives up after the max age with a record of who was left", async () => {
    const { api, calls } = stubApi([]);
    const message = sentMessage();
    const now = T + 80 * HOUR;
    const progress = { ...NO_LOOKUPS, lookups: 8, lastLookupAt: T + 72 * HOUR, lastOutcome: "answered" };
    const step = await reconcileStep(
      {
        state: message.state as NonNullable<StoredMessage["state"]>,
        messageTime: MESSAGE_TIME,
        progress,
        now,
      },
      { api, accountId: "9900000", settings: SETTINGS },
    );
    expect(step).toEqual({
      kind: "given-up",
      record: {
        messageId: ID,
        recipients: RECIPIENTS,
        messageTime: MESSAGE_TIME,
        givenUpAt: now,
        lookups: 8,
        lastOutcome: "answered",
      },
    });
    expect(calls).toEqual([]);
  });
});
