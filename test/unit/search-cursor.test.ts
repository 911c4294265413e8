/**
 * The signed cursor of GET /messages (src/http/search-cursor.ts): it opens only unaltered, for the filters it
 * was made for, under a configured admin token.
 */
import { describe, expect, it } from "vitest";
import { MAX_CURSOR_LENGTH, openCursor, sealCursor } from "../../src/http/search-cursor.ts";

const TOKENS = ["first-admin-token-0123456789"];
const SCOPE = JSON.stringify(["failed", null]);
// Every shard's position: the last message listed, and the shards with nothing after it.
const POSITION = { position: { time: 1_726_337_616_123, id: "msg-é-1" }, exhausted: ["INDEX_SHARD_2"] };
/** What sealCursor gave for {time: 1, id: "a"} under TOKENS and SCOPE before shards (payload [time, id]). */
const GOLDEN = "WzEsImEiXQ.UtCkZ1ahLN6tpuFfXNN56igUlaEUT1w8XAogOMWEM74";

/** `text` with the character at `index` replaced by another one of the base64url alphabet. */
function flip(text: string, index: number): string {
  const char = text[index] === "A" ? "B" : "A";
  return `${text.slice(0, index)}${char}${text.slice(index + 1)}`;
}

describe("sealCursor and openCursor", () => {
  it("open to the position they were sealed with, for the same filters", async () => {
    const cursor = await sealCursor(POSITION, SCOPE, TOKENS);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(await openCursor(cursor, SCOPE, TOKENS)).toEqual(POSITION);
  });

  it("refuse a cursor altered anywhere, in its position or its signature", async () => {
    const cursor = await sealCursor(POSITION, SCOPE, TOKENS);
    const dot = cursor.indexOf(".");
    for (const index of [0, dot - 1, dot + 1, cursor.length - 1]) {
      expect(await openCursor(flip(cursor, index), SCOPE, TOKENS), `changed at ${index}`).toBeUndefined();
    }
    expect(await openCursor(cursor.slice(0, -1), SCOPE, TOKENS)).toBeUndefined();
    expect(await openCursor(`${cursor}.x`, SCOPE, TOKENS)).toBeUndefined();
    expect(await openCursor(cursor.slice(0, dot), SCOPE, TOKENS)).toBeUndefined();
  });

  it("refuse a made-up position, even one encoded like ours", async () => {
    const payload = btoa(JSON.stringify([0, "msg"])).replace(/=+$/, "");
    expect(await openCursor(`${payload}.${"A".repeat(43)}`, SCOPE, TOKENS)).toBeUndefined();
    for (const junk of ["", ".", "not-a-cursor", "a.b", "%%%.%%%", "x".repeat(MAX_CURSOR_LENGTH + 1)]) {
      expect(await openCursor(junk, SCOPE, TOKENS), junk.slice(0, 20)).toBeUndefined();
    }
  });

  it("refuse a cursor taken to other filters", async () => {
    const cursor = await sealCursor(POSITION, SCOPE, TOKENS);
    expect(await openCursor(cursor, JSON.stringify(["delivered", null]), TOKENS)).toBeUndefined();
  });

  it("open while the signing token is still configured, and stop once it is removed", async () => {
    const cursor = await sealCursor(POSITION, SCOPE, TOKENS);
    const rotating = ["second-admin-token-0123456789", ...TOKENS];
    expect(await openCursor(cursor, SCOPE, rotating)).toEqual(POSITION);
    expect(await openCursor(cursor, SCOPE, ["second-admin-token-0123456789"])).toBeUndefined();
  });

  it("signs with the first configured token", async () => {
    const rotating = ["second-admin-token-0123456789", ...TOKENS];
    const cursor = await sealCursor(POSITION, SCOPE, rotating);
    expect(await openCursor(cursor, SCOPE, ["second-admin-token-0123456789"])).toEqual(POSITION);
    await expect(sealCursor(POSITION, SCOPE, [])).rejects.toThrow(
      new RangeError("sealCursor needs an admin token"),
    );
  });
});

describe("the cursor's format", () => {
  it("keeps opening across deploys: a cursor signed before shards still opens, with no shard exhausted", async () => {
    // [1,"a"] is 7 bytes, so its base64 ends in "==", which the cursor leaves out.
    expect(await openCursor(GOLDEN, SCOPE, TOKENS)).toEqual({
      position: { time: 1, id: "a" },
      exhausted: [],
    });
  });

  it("refuses a signature spelt another way for the same bytes (the last character's unused bits)", async () => {
    const cursor = await sealCursor(POSITION, SCOPE, TOKENS);
    const last = cursor.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 32 bytes are 43 characters: the last carries 4 bits and 2 unused ones.
    const twin = alphabet[alphabet.indexOf(last) ^ 1] as string;
    expect(await openCursor(`${cursor.slice(0, -1)}${twin}`, SCOPE, TOKENS)).toBeUndefined();
  });
});
