/**
 * A message's place in the sharded index (src/message/index-placement.ts): chosen once by a stable hash, kept
 * when shards are added, and the times its row may be stored under.
 */
import { describe, expect, it } from "vitest";
import { shardNames } from "../../src/index-db/shards.ts";
import {
  chooseShard,
  placementFor,
  samePlacement,
  stableHash,
  writtenUnder,
} from "../../src/message/index-placement.ts";

describe("shardNames", () => {
  it("reads a comma-separated list, each name once, MESSAGE_INDEX when unset or blank", () => {
    expect(shardNames(undefined)).toEqual(["MESSAGE_INDEX"]);
    expect(shardNames(" , ")).toEqual(["MESSAGE_INDEX"]);
    expect(shardNames(" A, B ,A,")).toEqual(["A", "B"]);
  });
});

describe("chooseShard", () => {
  it("is stable for an id and a list, and spreads ids over every shard", () => {
    expect(stableHash("abc")).toBe(0x1a47e90b);
    const names = ["S1", "S2", "S3"];
    const counts = new Map<string, number>();
    for (let i = 0; i < 3_000; i++) {
      const shard = chooseShard(`msg-${i}`, names);
      expect(chooseShard(`msg-${i}`, names)).toBe(shard);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    for (const name of names) expect(counts.get(name)).toBeGreaterThan(800);
  });
});

describe("placementFor", () => {
  it("chooses a new message's shard over the shards configured now", () => {
    const placement = placementFor(undefined, "msg-1", 100, ["S1", "S2"]);
    expect(placement).toEqual({ shard: chooseShard("msg-1", ["S1", "S2"]), times: [100] });
  });

  it("keeps a remembered shard whatever the list says now", () => {
    const kept = placementFor({ shard: "S1", times: [100] }, "msg-1", 100, ["S2", "S3"]);
    expect(kept).toEqual({ shard: "S1", times: [100] });
    expect(samePlacement({ shard: "S1", times: [100] }, kept)).toBe(true);
  });

  it("adds a changed time to the times the row may be under, until a write under it succeeded", () => {
    const moved = placementFor({ shard: "S1", times: [100] }, "msg-1", 50, ["S1"]);
    expect(moved).toEqual({ shard: "S1", times: [50, 100] });
    expect(samePlacement({ shard: "S1", times: [100] }, moved)).toBe(false);
    expect(writtenUnder(moved, 50)).toEqual({ shard: "S1", times: [50] });
  });
});
