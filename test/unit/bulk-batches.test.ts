/**
 * The batches of the bulk operations: their cursor opens only as it was made, whatever characters the message
 * id holds, and following `next` over the quarantine shards (each answering in SQLite's order) takes every
 * message exactly once (fast-check), ids beyond U+FFFF included.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeMessageCursor, encodeCursor, encodeMessageCursor } from "../../src/message/list-cursor.ts";
import {
  compareMessageIds,
  mergeMessageIds,
  QUARANTINE_SHARDS,
  quarantineShard,
} from "../../src/message/quarantine-list.ts";
import { assertCounted } from "../generators/figures.ts";

/** Compares as SQLite's BINARY collation does: byte by byte over UTF-8. */
function compareUtf8(a: string, b: string): number {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return x.length - y.length;
}

/** What one QuarantineList shard answers: its first `limit` ids after `after`, in SQLite's order. */
function shardQuery(ids: readonly string[], limit: number, after = ""): string[] {
  return ids
    .filter((id) => compareUtf8(id, after) > 0)
    .sort(compareUtf8)
    .slice(0, limit);
}

/** Ids mixing ASCII, characters just below U+FFFF and beyond it, where UTF-16 and UTF-8 orders differ. */
const idArb = fc.string({
  unit: fc.constantFrom("a", "b", "z", "\u00e9", "\uff5e", "\ufffd", "\u{1f600}", "\u{10000}"),
  minLength: 1,
  maxLength: 4,
});

describe("the bulk cursor", () => {
  it("opens to the message id it was made from, whatever its characters", () => {
    for (const id of ["msg-1", "msg-é", "msg-😀", 'a "quoted" \\ id', "\u0000"]) {
      expect(decodeMessageCursor(encodeMessageCursor(id))).toBe(id);
    }
  });

  it("refuses what it did not make: other text, a list cursor, an empty id, another spelling", () => {
    const ours = encodeMessageCursor("msg-1");
    for (const cursor of [
      "",
      "not-a-cursor",
      encodeCursor([1, "evt_1"]),
      btoa('{"after":""}'),
      btoa('{"after":"msg-1","more":1}'),
      btoa('"msg-1"'),
      `${ours}=`,
      ` ${ours}`,
    ]) {
      expect(decodeMessageCursor(cursor), cursor).toBeUndefined();
    }
  });
});

describe("message id batches across the quarantine shards", () => {
  it("order ids as SQLite does, not as UTF-16 units do", ({ task }) => {
    expect(compareMessageIds("\u{1f600}", "\uffff")).toBeGreaterThan(0);
    expect("\u{1f600}" < "\uffff").toBe(true);
    assertCounted(
      task,
      fc.property(idArb, idArb, (a, b) => {
        expect(Math.sign(compareMessageIds(a, b))).toBe(Math.sign(compareUtf8(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it("following next takes every message exactly once, in order, and stops after the last", ({ task }) => {
    assertCounted(
      task,
      fc.property(fc.uniqueArray(idArb, { maxLength: 40 }), fc.integer({ min: 1, max: 7 }), (ids, limit) => {
        const shards = Array.from({ length: QUARANTINE_SHARDS }, (_, n) =>
          ids.filter((id) => quarantineShard(id) === `shard-${n}`),
        );
        const taken: string[] = [];
        let after: string | undefined;
        for (let call = 0; call <= ids.length; call++) {
          const batch = mergeMessageIds(
            shards.map((shard) => shardQuery(shard, limit + 1, after)),
            limit,
          );
          taken.push(...batch.ids);
          if (batch.next === undefined) break;
          expect(batch.ids).toHaveLength(limit);
          after = batch.next;
        }
        expect(taken).toEqual([...ids].sort(compareUtf8));
      }),
      { numRuns: 1000 },
    );
  });
});
