/**
 * The bench's request mix (bench/lib/mix.ts): order within a message, the shares of each kind of traffic,
 * exact retries, and the same bodies for the same seed.
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MIX,
  eventKey,
  MixPlanner,
  messageIdOfKey,
  type PlannedRequest,
} from "../../bench/lib/mix.ts";

interface StatusEvent {
  type: string;
  to: string;
  errorCode?: number;
  message: { id: string; to: string[]; direction: string };
}

function eventOf(request: PlannedRequest): StatusEvent {
  const events = JSON.parse(request.body) as StatusEvent[];
  expect(events).toHaveLength(1);
  return events[0] as StatusEvent;
}

/** Drives a planner like `concurrency` connections that are answered oldest first; returns requests in send order. */
function drive(planner: MixPlanner, count: number, concurrency = 8): PlannedRequest[] {
  const sent: PlannedRequest[] = [];
  const inFlight: PlannedRequest[] = [];
  while (sent.length < count) {
    while (inFlight.length < concurrency && sent.length < count) {
      const request = planner.next();
      sent.push(request);
      inFlight.push(request);
    }
    const answered = inFlight.shift();
    if (answered) planner.answered(answered.id, true);
  }
  return sent;
}

describe("MixPlanner", () => {
  it("sends a message's delivered or failed callbacks only after its sending callback was answered", () => {
    const planner = new MixPlanner(DEFAULT_MIX, 1);
    const first = planner.next();
    expect(eventOf(first).type).toBe("message-sending");
    const before = Array.from({ length: 20 }, () => planner.next());
    const id = eventOf(first).message.id;
    expect(before.filter((request) => eventOf(request).message.id === id)).toEqual([]);
    planner.answered(first.id, true);
    const next = eventOf(planner.next());
    expect(next.message.id).toBe(id);
    expect(["message-delivered", "message-failed"]).toContain(next.type);
  });

  it("sends one delivered or failed callback per recipient, failures with an errorCode", () => {
    const sent = drive(new MixPlanner(DEFAULT_MIX, 2), 2_000).filter(
      (request) => request.retryOf === undefined,
    );
    const outcomes = new Map<string, string[]>();
    for (const request of sent) {
      const event = eventOf(request);
      expect(request.events).toEqual([eventKey(event.message.id, event.type, event.to)]);
      if (event.type === "message-sending") continue;
      expect(event.errorCode !== undefined).toBe(event.type === "message-failed");
      outcomes.set(event.message.id, [...(outcomes.get(event.message.id) ?? []), event.to]);
      expect(event.message.to).toContain(event.to);
    }
    for (const request of sent) {
      const event = eventOf(request);
      const recipients = outcomes.get(event.message.id);
      if (event.type === "message-sending" && recipients && recipients.length === event.message.to.length) {
        expect([...recipients].sort()).toEqual([...event.message.to].sort());
      }
    }
  });

  it("keeps about 10 % group messages of 2 to 5, 5 % failures and 2 % retries", () => {
    const planner = new MixPlanner(DEFAULT_MIX, 3);
    const sent = drive(planner, 10_000);
    const counts = planner.planned();
    expect(counts.requests).toBe(sent.length);
    expect(counts.groupMessages / counts.messages).toBeGreaterThan(0.08);
    expect(counts.groupMessages / counts.messages).toBeLessThan(0.12);
    const sendings = sent.map(eventOf).filter((event) => event.type === "message-sending");
    for (const event of sendings) expect(event.message.to.length).toBeLessThanOrEqual(5);
    const groupSizes = new Set(sendings.map((event) => event.message.to.length).filter((size) => size > 1));
    expect([...groupSizes].sort()).toEqual([2, 3, 4, 5]);
    const outcomes = sent.filter((r) => r.retryOf === undefined && eventOf(r).type !== "message-sending");
    const failed = outcomes.filter((request) => eventOf(request).type === "message-failed").length;
    expect(failed / outcomes.length).toBeGreaterThan(0.035);
    expect(failed / outcomes.length).toBeLessThan(0.065);
    expect(counts.retries / counts.requests).toBeGreaterThan(0.012);
    expect(counts.retries / counts.requests).toBeLessThan(0.028);
  });

  it("repeats the exact body of an earlier answered request as a retry", () => {
    const sent = drive(new MixPlanner(DEFAULT_MIX, 4), 3_000);
    const byId = new Map(sent.map((request) => [request.id, request]));
    const retries = sent.filter((request) => request.retryOf !== undefined);
    expect(retries.length).toBeGreaterThan(0);
    for (const retry of retries) {
      const original = byId.get(retry.retryOf ?? -1);
      expect(original?.body).toBe(retry.body);
      expect(original?.retryOf).toBeUndefined();
      expect(sent.indexOf(original as PlannedRequest)).toBeLessThan(sent.indexOf(retry));
    }
  });

  it("never retries a request that was answered with an error", () => {
    const planner = new MixPlanner({ ...DEFAULT_MIX, retry: 1 }, 5);
    const first = planner.next();
    planner.answered(first.id, false);
    expect(planner.next().retryOf).toBeUndefined();
  });

  it("plans the same bodies for the same seed and different ones for another seed", () => {
    const bodies = (seed: number) => drive(new MixPlanner(DEFAULT_MIX, seed), 500).map((r) => r.body);
    expect(bodies(9)).toEqual(bodies(9));
    expect(bodies(9)).not.toEqual(bodies(10));
  });

  it("gives every message its own id, readable back from its event keys", () => {
    const sent = drive(new MixPlanner(DEFAULT_MIX, 6), 2_000);
    const sendings = sent.filter(
      (request) => request.retryOf === undefined && eventOf(request).type === "message-sending",
    );
    const ids = sendings.map((request) => eventOf(request).message.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const request of sendings) {
      expect(messageIdOfKey(request.events[0] ?? "")).toBe(eventOf(request).message.id);
    }
  });
});
