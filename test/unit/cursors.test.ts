/**
 * The opaque cursors of the lists across messages and of the bulk operations (src/message/list-cursor.ts,
 * src/http/bulk-cursor.ts): what they encode comes back, and anything else is refused, never guessed at.
 */
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { nextCursorOf, readBulkCursor } from "../../src/http/bulk-cursor.ts";
import {
  batchOf,
  decodeCursor,
  decodeMessageCursor,
  encodeCursor,
  encodeMessageCursor,
} from "../../src/message/list-cursor.ts";

describe("list positions", () => {
  it("decode to the position they encode", () => {
    expect(decodeCursor(encodeCursor([1_733_000_000_000, "evt_0123"]))).toEqual([
      1_733_000_000_000,
      "evt_0123",
    ]);
    expect(encodeCursor([5, "a"])).not.toContain("evt");
  });

  it.each([
    ["not base64", "%%%"],
    ["not JSON", btoa("[1,")],
    ["an object", btoa('{"0":1,"1":"a"}')],
    ["one element", btoa("[1]")],
    ["three elements", btoa('[1,"a","b"]')],
    ["a time that is not an integer", btoa('[1.5,"a"]')],
    ["a time past the safe integers", btoa('[9007199254740993,"a"]')],
    ["an id that is not a string", btoa("[1,2]")],
  ])("refuse %s", (_, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});

describe("batches of message ids", () => {
  it("answer next only when more ids remain than the batch takes", () => {
    expect(batchOf(["a", "b", "c"], 2)).toEqual({ ids: ["a", "b"], next: "b" });
    expect(batchOf(["a", "b"], 2)).toEqual({ ids: ["a", "b"] });
    expect(batchOf(["a"], 2)).toEqual({ ids: ["a"] });
    expect(batchOf([], 2)).toEqual({ ids: [] });
    // A batch that took nothing has no next, not even an undefined one.
    expect(batchOf(["a"], 0)).toStrictEqual({ ids: [] });
  });
});

describe("bulk cursors", () => {
  it("decode to the message id they continue after, any character included", () => {
    for (const id of ["msg-1", "a/b c", "é😀", '"quoted"'])
      expect(decodeMessageCursor(encodeMessageCursor(id))).toBe(id);
  });

  it.each([
    ["another key beside after", btoa('{"after":"msg-1","x":1}')],
    ["an after that is not a string", btoa('{"after":5}')],
    ["an empty after", btoa('{"after":""}')],
    ["a string", btoa('"msg-1"')],
    ["null", btoa("null")],
    ["a list position", encodeCursor([1, "msg-1"])],
    ["extra padding", `${encodeMessageCursor("msg-1")}==`],
    ["not base64", "%%%"],
  ])("refuse %s", (_, cursor) => {
    expect(decodeMessageCursor(cursor)).toBeUndefined();
  });

  it("read a body's cursor: none, ours, or a 400 that names nothing of it", () => {
    expect(readBulkCursor(undefined)).toBeUndefined();
    expect(readBulkCursor(encodeMessageCursor("msg-7"))).toBe("msg-7");
    try {
      readBulkCursor(btoa('{"after":5}'));
      expect.fail("a foreign cursor was read");
    } catch (error) {
      expect(error).toBeInstanceOf(HTTPException);
      expect((error as HTTPException).status).toBe(400);
      expect((error as HTTPException).message).toBe("cursor is not valid");
    }
  });

  it("answer nextCursor exactly when a batch has a next id", () => {
    expect(nextCursorOf({ ids: ["a", "b"], next: "b" })).toEqual({ nextCursor: encodeMessageCursor("b") });
    expect(nextCursorOf({ ids: ["a"] })).toEqual({});
  });
});
