/**
 * Media links and keys (src/media/links.ts, keys.ts, media-files.ts): a link verifies only for the file, expiry
 * and secret it was signed for; names and keys are safe whatever Bandwidth's URL or message id holds.
 */

import * as v from "valibot";
import { describe, expect, it } from "vitest";
import type { MediaCopy } from "../../src/media/copy.ts";
import { isMediaFileName, mediaFileName, mediaKey, mediaPrefix } from "../../src/media/keys.ts";
import { mediaLinkPath, signMediaLink, verifyMediaLink } from "../../src/media/links.ts";
import { MediaFileSchema, toMediaFiles } from "../../src/media/media-files.ts";

const SECRET = "media-link-secret-0123456789abcdef";
const NOW = Date.parse("2026-03-01T12:00:00Z");
const HOUR = 3_600_000;
const SIGNING = { secret: SECRET, ttlMs: 24 * HOUR };
const TARGET = { messageId: "14762070468292kw2fuqty55yp2b2", n: 0, name: "bw.png" };

function queryOf(link: string): { exp: string; sig: string } {
  const url = new URL(link, "https://receiver.test");
  return { exp: url.searchParams.get("exp") ?? "", sig: url.searchParams.get("sig") ?? "" };
}

describe("signMediaLink / verifyMediaLink", () => {
  it("makes /media/<messageId>/<n>/<name>?exp=&sig= that verifies until it expires", async () => {
    const link = await signMediaLink(TARGET, SIGNING, NOW);
    expect(link).toMatch(
      /^\/media\/14762070468292kw2fuqty55yp2b2\/0\/bw\.png\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/,
    );
    const { exp, sig } = queryOf(link);
    expect(Number(exp)).toBe((NOW + 24 * HOUR) / 1000);
    expect(await verifyMediaLink(TARGET, exp, sig, SECRET, NOW + 24 * HOUR - 1)).toBe("valid");
    expect(await verifyMediaLink(TARGET, exp, sig, SECRET, NOW + 24 * HOUR)).toBe("expired");
  });

  it("is absolute with the receiver's public origin", async () => {
    const link = await signMediaLink(TARGET, { ...SIGNING, publicUrl: "https://receiver.example.com" }, NOW);
    expect(
      link.startsWith("https://receiver.example.com/media/14762070468292kw2fuqty55yp2b2/0/bw.png?exp="),
    ).toBe(true);
  });

  it.each([
    ["another message", { ...TARGET, messageId: "14762070468292kw2fuqty55yp2b3" }],
    ["another file", { ...TARGET, n: 1 }],
    ["another name", { ...TARGET, name: "bw.html" }],
  ])("does not verify for %s", async (_, other) => {
    const { exp, sig } = queryOf(await signMediaLink(TARGET, SIGNING, NOW));
    expect(await verifyMediaLink(other, exp, sig, SECRET, NOW)).toBe("invalid");
  });

  it("does not verify with a moved expiry, another secret, or a malformed or missing signature", async () => {
    const { exp, sig } = queryOf(await signMediaLink(TARGET, SIGNING, NOW));
    expect(await verifyMediaLink(TARGET, String(Number(exp) + 3600), sig, SECRET, NOW)).toBe("invalid");
    expect(await verifyMediaLink(TARGET, exp, sig, `${SECRET}x`, NOW)).toBe("invalid");
    const flipped = `${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`;
    expect(await verifyMediaLink(TARGET, exp, flipped, SECRET, NOW)).toBe("invalid");
    expect(await verifyMediaLink(TARGET, exp, `${sig}=`, SECRET, NOW)).toBe("invalid");
    expect(await verifyMediaLink(TARGET, exp, undefined, SECRET, NOW)).toBe("invalid");
    expect(await verifyMediaLink(TARGET, "-1", sig, SECRET, NOW)).toBe("invalid");
  });

  it("keeps a message id with slashes, spaces and non-ASCII in one path segment", async () => {
    const target = { messageId: "a/b c?d#é", n: 3, name: "x.jpg" };
    expect(mediaLinkPath(target)).toBe("/media/a%2Fb%20c%3Fd%23%C3%A9/3/x.jpg");
    const { exp, sig } = queryOf(await signMediaLink(target, SIGNING, NOW));
    expect(await verifyMediaLink(target, exp, sig, SECRET, NOW)).toBe("valid");
  });
});

describe("mediaFileName", () => {
  it.each([
    [
      "https://messaging.bandwidth.com/api/v2/users/9900902/media/14762070468292kw2fuqty55yp2b2/0/bw.png",
      "bw.png",
    ],
    ["https://messaging.bandwidth.com/api/v2/users/1/media/x/0/my%20photo%20(1).jpeg", "my_photo_1_.jpeg"],
    ["https://messaging.bandwidth.com/api/v2/users/1/media/x/0/..%2F..%2Fetc", "etc"],
    ["https://messaging.bandwidth.com/api/v2/users/1/media/x/0/", "file-4"],
    ["https://messaging.bandwidth.com/api/v2/users/1/media/x/0/%E2%9C%93.gif", "gif"],
    ["not a url", "file-4"],
  ])("%s → %s", (url, name) => {
    const got = mediaFileName(url, 4);
    expect(got).toBe(name);
    expect(isMediaFileName(got)).toBe(true);
  });

  it("is at most 100 characters", () => {
    expect(mediaFileName(`https://h.example/${"a".repeat(300)}.png`, 0)).toHaveLength(100);
  });
});

describe("mediaKey", () => {
  it("uses a Bandwidth message id as it is", async () => {
    expect(await mediaKey("14762070468292kw2fuqty55yp2b2", 2, "bw.png")).toBe(
      "media/14762070468292kw2fuqty55yp2b2/2/bw.png",
    );
  });

  it("hashes any other id, so keys stay short and a prefix never spans two messages", async () => {
    const prefix = await mediaPrefix("a/b");
    expect(prefix).toMatch(/^media\/~[0-9a-f]{64}\/$/);
    expect(await mediaPrefix("a/b")).toBe(prefix);
    expect(await mediaPrefix("a/c")).not.toBe(prefix);
    expect((await mediaKey("x".repeat(256), 9, "n".repeat(100))).length).toBeLessThan(1024);
    expect(await mediaPrefix("..")).toMatch(/^media\/~/);
  });
});

describe("toMediaFiles", () => {
  it("lists each URL in order: a copy with a fresh link, or its error", async () => {
    const copies: MediaCopy[] = [
      {
        state: "copied",
        url: "https://messaging.bandwidth.com/a/0/bw.png",
        n: 0,
        name: "bw.png",
        key: "media/m/0/bw.png",
        contentType: "image/png",
        size: 12,
        sha256: "a".repeat(64),
      },
      {
        state: "failed",
        url: "https://messaging.bandwidth.com/a/1/gone.png",
        n: 1,
        error: "not found (404)",
      },
    ];
    const files = await toMediaFiles("m", copies, SIGNING, NOW);
    expect(files).toEqual([
      {
        url: "https://messaging.bandwidth.com/a/0/bw.png",
        mirrorUrl: await signMediaLink({ messageId: "m", n: 0, name: "bw.png" }, SIGNING, NOW),
        contentType: "image/png",
        size: 12,
        sha256: "a".repeat(64),
      },
      { url: "https://messaging.bandwidth.com/a/1/gone.png", error: "not found (404)" },
    ]);
    for (const file of files) expect(v.is(MediaFileSchema, file)).toBe(true);
  });
});
