/**
 * Rollouts: during a gradual deployment a Worker (or an object) of the previous release calls objects of this one.
 * Each Durable Object method is called here exactly as release 0.1.0 (commit eb95156) calls it: the same
 * arguments, written out literally rather than built with today's helpers, so that a change to a method's
 * parameters that the previous release cannot satisfy fails this file. New parameters must be optional and last.
 */
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { newMessageId } from "../helpers/events.ts";
import { settle } from "../helpers/settle.ts";

/** A message-sending event as release 0.1.0's Worker hands it to `ingest`: validated output, with its id. */
function releasedItem(messageId: string) {
  return {
    eventId: `evt_${"0".repeat(24)}${messageId.length.toString(16).padStart(8, "0")}`,
    valid: true as const,
    event: {
      type: "message-sending",
      time: "2026-11-30T10:00:00.000Z",
      description: "Message is sending to carrier",
      to: "+15554443333",
      message: {
        id: messageId,
        owner: "+15551112222",
        applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
        time: "2026-11-30T09:59:59.000Z",
        segmentCount: 1,
        direction: "out" as const,
        to: ["+15554443333"],
        from: "+15551112222",
        text: "",
      },
    },
  };
}

/** An invalid event as release 0.1.0's Worker hands it to `ingest`: the envelope, raw, with its issues. */
function releasedHeldItem(messageId: string) {
  return {
    eventId: `evt_${"f".repeat(32)}`,
    valid: false as const,
    raw: { type: "message-sent", message: { id: messageId, segmentCount: "many" } },
    issues: [{ path: "message.segmentCount", message: "must be a non-negative integer" }],
  };
}

const touched: string[] = [];

afterAll(() => settle(...touched));

describe("the previous release's calls to this release's objects", () => {
  it("MessageTracker: ingest, snapshot, redeliver, replay and releaseQuarantine", async () => {
    const id = newMessageId("rpc");
    touched.push(id);
    const tracker = env.MESSAGE_TRACKER.getByName(id);
    expect(await tracker.ingest([releasedItem(id)])).toEqual({
      accepted: 1,
      duplicates: 0,
      quarantined: 0,
      issues: [],
    });
    expect(await tracker.ingest([releasedItem(id)])).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await tracker.ingest([releasedHeldItem(id)])).toMatchObject({ accepted: 0, quarantined: 1 });
    const view = await tracker.snapshot();
    expect(view).toMatchObject({ id, direction: "outbound", status: "sending" });
    expect(view?.events).toHaveLength(1);
    expect(await tracker.redeliver("dead")).toEqual({ found: true, redelivered: 0 });
    expect(await tracker.redeliver("all", "default")).toMatchObject({ found: true });
    expect(await tracker.replay("default")).toMatchObject({ found: true, scheduled: expect.any(Number) });
    expect(await tracker.releaseQuarantine()).toEqual({ found: true, released: 0, remaining: 1 });
  });

  it("DeadLetters: update, list and messageIds", async () => {
    const list = env.DEAD_LETTERS.getByName(`rpc-${newMessageId("dead-letters")}`);
    const entry = {
      eventId: "evt_rpc_dead",
      destination: "default",
      messageId: "rpc-dead-message",
      sequence: 1,
      type: "message-sending",
      attempts: 3,
      lastError: "HTTP 500",
      deadAt: 1_764_496_800_000,
    };
    await list.update([entry], []);
    expect((await list.list(10)).items).toMatchObject([
      { eventId: "evt_rpc_dead", messageId: "rpc-dead-message" },
    ]);
    expect((await list.list(10, [0, ""], "default")).items).toHaveLength(1);
    expect(await list.messageIds(10)).toMatchObject({ ids: ["rpc-dead-message"] });
    expect(await list.messageIds(10, "", "default", ["default"])).toMatchObject({
      ids: ["rpc-dead-message"],
    });
    await list.update([], [{ eventId: "evt_rpc_dead", destination: "default" }]);
    expect((await list.list(10)).items).toEqual([]);
  });

  it("QuarantineList: update, list and messageIds", async () => {
    const shard = env.QUARANTINE_LIST.getByName(`rpc-${newMessageId("quarantine")}`);
    const entry = {
      eventId: "evt_rpc_held",
      messageId: "rpc-held-message",
      type: "message-sent",
      issues: [{ path: "message.segmentCount", message: "must be a non-negative integer" }],
      at: 1_764_496_800_000,
    };
    await shard.update([entry], []);
    expect((await shard.list(10)).items).toMatchObject([{ eventId: "evt_rpc_held" }]);
    expect((await shard.list(10, [0, ""])).items).toHaveLength(1);
    expect(await shard.messageIds(10)).toEqual(["rpc-held-message"]);
    await shard.update([], ["evt_rpc_held"]);
    expect((await shard.list(10)).items).toEqual([]);
  });

  it("DestinationHealth: report, status, pause and resume", async () => {
    const name = `rpc-${newMessageId("health")}`.slice(0, 32);
    const health = env.DESTINATION_HEALTH.getByName(name);
    expect(await health.report(name, [{ ok: false, at: Date.now(), error: "HTTP 500" }])).toMatchObject({
      state: "healthy",
      paused: false,
    });
    expect(await health.status()).toMatchObject({ paused: false });
    expect(await health.pause()).toMatchObject({ paused: true });
    expect(await health.resume()).toMatchObject({ paused: false });
  });

  it("ReplayJob: start and progress", async () => {
    const job = env.REPLAY_JOB.getByName(`rpc-${newMessageId("replay")}`);
    expect(await job.start({ direction: "outbound" }, "default")).toMatchObject({
      destination: "default",
      done: false,
    });
    expect(await job.progress()).toMatchObject({ destination: "default" });
  });
});
