/**
 * copyMedia (src/media/copy.ts) inside workerd with the real (local) R2 binding and a fake Bandwidth behind the
 * injected fetch: files streamed into R2 with their SHA-256, memory kept flat (the producer never runs more than
 * a few chunks ahead of what R2 has consumed), the 5 MiB and 10-file limits, hosts that may not get the token,
 * and which failures are final and which are retried. (A failed upload makes Miniflare's local R2 log
 * "uncaught exception … client disconnected" or "Network connection lost" from its own worker: that is the
 * simulator seeing the aborted stream, not an error of the code under test.)
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createBandwidthApi } from "../../src/bandwidth/api-client.ts";
import { TokenCache } from "../../src/bandwidth/oauth-token.ts";
import { BANDWIDTH_MEDIA_ORIGIN } from "../../src/media/allowed-hosts.ts";
import { copyMedia, deleteMediaCopies, type MediaCopy } from "../../src/media/copy.ts";
import { hex, MAX_MEDIA_BYTES, mediaKey } from "../../src/media/keys.ts";
import { toMediaFiles } from "../../src/media/media-files.ts";
import { copyMediaRound, inboundMediaUrls } from "../../src/media/media-step.ts";
import type { BandwidthAccess } from "../../src/media/settings.ts";
import { newMessageId } from "../helpers/events.ts";
import {
  CHUNK_BYTES,
  FAKE_MEDIA_BASE,
  FAKE_TOKEN_URL,
  FakeBandwidthFetch,
  FIVE_MIB,
  lazyChunk,
} from "../helpers/fake-bandwidth-fetch.ts";

const ACCESS: BandwidthAccess = {
  accountId: "9900000",
  clientId: "client-id",
  clientSecret: "client-secret",
  tokenUrl: FAKE_TOKEN_URL,
  apiUrl: "https://messaging.bandwidth.com/api/v2",
  mediaOrigins: new Set([BANDWIDTH_MEDIA_ORIGIN]),
};

function setup(options: { mediaMs?: number } = {}) {
  const fake = new FakeBandwidthFetch();
  const api = createBandwidthApi(ACCESS, {
    fetch: fake.fetch,
    tokens: new TokenCache(),
    timeouts: { mediaMs: options.mediaMs ?? 30_000 },
  });
  return { fake, api };
}

async function sha256Of(bytes: Uint8Array): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/** The SHA-256 of a lazy body of `size` bytes, computed chunk by chunk like the fake produces it. */
async function lazySha256(size: number): Promise<string> {
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  for (let offset = 0; offset < size; offset += CHUNK_BYTES) {
    await writer.write(lazyChunk(offset, Math.min(CHUNK_BYTES, size - offset)));
  }
  await writer.close();
  return hex(new Uint8Array(await digest.digest));
}

/**
 * The real bucket, with every streamed put counted as R2 reads it: `consumed` is what R2 has taken so far.
 * The stream handed to R2 keeps a known length (a FixedLengthStream of the length the test says).
 */
function meteredBucket(length: number) {
  const meter = { consumed: 0 };
  const bucket = new Proxy(env.MEDIA_BUCKET, {
    get(target, property) {
      if (property !== "put") return Reflect.get(target, property).bind(target);
      return (key: string, value: unknown, options?: R2PutOptions) => {
        if (!(value instanceof ReadableStream)) return target.put(key, value as ArrayBuffer, options);
        const reader = (value as ReadableStream<Uint8Array>).getReader();
        const counted = new ReadableStream<Uint8Array>(
          {
            async pull(controller) {
              const { done, value: chunk } = await reader.read();
              if (done) controller.close();
              else {
                meter.consumed += chunk.byteLength;
                controller.enqueue(chunk);
              }
            },
            cancel: (reason) => reader.cancel(reason),
          },
          { highWaterMark: 0 },
        );
        const fixed = new FixedLengthStream(length);
        counted.pipeTo(fixed.writable).catch(() => undefined);
        return target.put(key, fixed.readable, options);
      };
    },
  });
  return { bucket, meter };
}

describe("copyMedia", () => {
  it("streams a file into R2 under its message, index and name, with its type, size and SHA-256", async () => {
    const { fake, api } = setup();
    const messageId = newMessageId("media");
    const url = `${FAKE_MEDIA_BASE}/abc123/0/picture.png`;
    const bytes = new TextEncoder().encode("not really a png");
    fake.serve(url, { contentType: "image/png; charset=binary", body: bytes });
    const [copy] = await copyMedia({ messageId, urls: [url] }, { api, bucket: env.MEDIA_BUCKET });
    const key = await mediaKey(messageId, 0, "picture.png");
    expect(copy).toEqual({
      state: "copied",
      url,
      n: 0,
      name: "picture.png",
      key,
      contentType: "image/png",
      size: bytes.byteLength,
      sha256: await sha256Of(bytes),
    });
    const object = await env.MEDIA_BUCKET.get(key);
    expect(object?.httpMetadata?.contentType).toBe("image/png");
    expect(new Uint8Array(await (object as R2ObjectBody).arrayBuffer())).toEqual(bytes);
    expect(fake.requests.find((r) => r.url === url)?.authorization).toBe("Bearer token-1");
  });

  it("copies a 5 MiB body while the producer stays within a few chunks of what R2 has consumed", async () => {
    const { fake, api } = setup();
    const messageId = newMessageId("flat");
    const url = `${FAKE_MEDIA_BASE}/big/0/big.bin`;
    fake.serve(url, { lazy: FIVE_MIB });
    const { bucket, meter } = meteredBucket(FIVE_MIB);
    let furthestAhead = 0;
    fake.onProduce = (_, produced) => {
      furthestAhead = Math.max(furthestAhead, produced - meter.consumed);
    };
    const [copy] = await copyMedia({ messageId, urls: [url] }, { api, bucket });
    expect(copy).toMatchObject({ state: "copied", size: FIVE_MIB, sha256: await lazySha256(FIVE_MIB) });
    expect(meter.consumed).toBe(FIVE_MIB);
    // A buffering copy would produce all 5 MiB before R2 consumed a byte.
    expect(furthestAhead).toBeLessThanOrEqual(8 * CHUNK_BYTES);
    const object = await env.MEDIA_BUCKET.head(await mediaKey(messageId, 0, "big.bin"));
    expect(object?.size).toBe(FIVE_MIB);
  });

  it("copies an empty file", async () => {
    const { fake, api } = setup();
    const url = `${FAKE_MEDIA_BASE}/empty/0/empty.txt`;
    fake.serve(url, { contentType: "text/plain", body: new Uint8Array(0) });
    const [copy] = await copyMedia(
      { messageId: newMessageId("empty"), urls: [url] },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(copy).toMatchObject({ state: "copied", size: 0, sha256: await sha256Of(new Uint8Array(0)) });
  });

  it("refuses a declared Content-Length over 5 MiB without reading the body", async () => {
    const { fake, api } = setup();
    const url = `${FAKE_MEDIA_BASE}/huge/0/huge.bin`;
    fake.serve(url, { lazy: MAX_MEDIA_BYTES + 1 });
    const [copy] = await copyMedia(
      { messageId: newMessageId("huge"), urls: [url] },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(copy).toEqual({
      state: "failed",
      url,
      n: 0,
      error: `too large: ${MAX_MEDIA_BYTES + 1} bytes, at most ${MAX_MEDIA_BYTES}`,
    });
    expect(fake.produced.get(url) ?? 0).toBe(0);
  });

  it("aborts an endless body without Content-Length once it passes 5 MiB, and stores nothing", async () => {
    const { fake, api } = setup();
    const messageId = newMessageId("endless");
    const url = `${FAKE_MEDIA_BASE}/endless/0/stream.bin`;
    fake.serve(url, { lazy: Number.POSITIVE_INFINITY, contentLength: null });
    const [copy] = await copyMedia({ messageId, urls: [url] }, { api, bucket: env.MEDIA_BUCKET });
    expect(copy).toEqual({
      state: "failed",
      url,
      n: 0,
      error: `too large: more than ${MAX_MEDIA_BYTES} bytes`,
    });
    expect(fake.produced.get(url)).toBeLessThanOrEqual(MAX_MEDIA_BYTES + 4 * CHUNK_BYTES);
    expect((await env.MEDIA_BUCKET.list({ prefix: `media/${messageId}/` })).objects).toEqual([]);
  });

  it("copies a body without Content-Length by measuring it first, then streaming a second GET", async () => {
    const { fake, api } = setup();
    const messageId = newMessageId("chunked");
    const url = `${FAKE_MEDIA_BASE}/chunked/0/clip.mp4`;
    const size = 3 * CHUNK_BYTES + 123;
    fake.serve(url, { contentType: "video/mp4", lazy: size, contentLength: null });
    const [copy] = await copyMedia({ messageId, urls: [url] }, { api, bucket: env.MEDIA_BUCKET });
    expect(copy).toMatchObject({
      state: "copied",
      size,
      contentType: "video/mp4",
      sha256: await lazySha256(size),
    });
    expect(fake.requestCount(url)).toBe(2);
  });

  it("retries when a body without Content-Length changes between the two reads", async () => {
    const { fake, api } = setup();
    const url = `${FAKE_MEDIA_BASE}/changing/0/a.bin`;
    fake.serve(url, [
      { body: new Uint8Array([1, 2, 3]), contentLength: null },
      { body: new Uint8Array([1, 2, 4]), contentLength: null },
    ]);
    const [copy] = await copyMedia(
      { messageId: newMessageId("changing"), urls: [url] },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(copy).toEqual({ state: "retry", url, n: 0, error: "the file changed between two reads" });
  });

  it("retries a body shorter than its Content-Length, and stores nothing", async () => {
    const { fake, api } = setup();
    const messageId = newMessageId("short");
    const url = `${FAKE_MEDIA_BASE}/short/0/a.bin`;
    fake.serve(url, { lazy: 2 * CHUNK_BYTES, contentLength: 3 * CHUNK_BYTES });
    const [copy] = await copyMedia({ messageId, urls: [url] }, { api, bucket: env.MEDIA_BUCKET });
    expect(copy).toMatchObject({ state: "retry", url, n: 0 });
    expect((await env.MEDIA_BUCKET.list({ prefix: `media/${messageId}/` })).objects).toEqual([]);
  });

  it("retries a download that stalls past the media timeout", async () => {
    const { fake, api } = setup({ mediaMs: 300 });
    const url = `${FAKE_MEDIA_BASE}/stall/0/a.bin`;
    fake.serve(url, { lazy: 4 * CHUNK_BYTES, stallAfter: CHUNK_BYTES });
    const [copy] = await copyMedia(
      { messageId: newMessageId("stall"), urls: [url] },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(copy).toEqual({ state: "retry", url, n: 0, error: "timeout" });
  });

  it("copies at most 10 files; the others are listed with an error and never fetched", async () => {
    const { fake, api } = setup();
    const urls = Array.from({ length: 12 }, (_, i) => `${FAKE_MEDIA_BASE}/many/${i}/f${i}.txt`);
    for (const url of urls) fake.serve(url, { contentType: "text/plain", body: new Uint8Array([65]) });
    const copies = await copyMedia(
      { messageId: newMessageId("many"), urls },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(copies.slice(0, 10).every((copy) => copy.state === "copied")).toBe(true);
    expect(copies.slice(10)).toEqual([
      { state: "failed", url: urls[10], n: 10, error: "over the limit of 10 files per message" },
      { state: "failed", url: urls[11], n: 11, error: "over the limit of 10 files per message" },
    ]);
    expect(fake.requestCount(urls[10] as string)).toBe(0);
  });

  it("never fetches a URL on a host that is not allowed: not even the token endpoint is asked", async () => {
    const { fake, api } = setup();
    const url = "https://media.evil.example/api/v2/users/9900000/media/x/0/a.png";
    const [copy] = await copyMedia(
      { messageId: newMessageId("evil"), urls: [url] },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(copy).toEqual({ state: "failed", url, n: 0, error: "host is not allowed" });
    expect(fake.requests).toEqual([]);
  });

  it("fetches only media files of the configured account: other paths on the media host are listed, never fetched", async () => {
    const { fake, api } = setup();
    const mine = `${FAKE_MEDIA_BASE}/mine/0/a.txt`;
    const refused = [
      // The account's other API paths: List Messages would answer with the account's messages.
      "https://messaging.bandwidth.com/api/v2/users/9900000/messages?messageId=x",
      "https://messaging.bandwidth.com/api/v2/users/9900000/media/",
      // Another account's media, and paths that leave the media folder once resolved or decoded.
      "https://messaging.bandwidth.com/api/v2/users/1234567/media/x/0/a.png",
      "https://messaging.bandwidth.com/api/v2/users/9900000/media/../messages",
      "https://messaging.bandwidth.com/api/v2/users/9900000/media/..%2F..%2F1234567%2Fmedia%2Fx",
      "https://messaging.bandwidth.com/api/v2/users/9900000/media%2F..%2Fmessages",
      "https://messaging.bandwidth.com/api/v2/users/99000001/media/x",
      "https://messaging.bandwidth.com/other/api/v2/users/9900000/media/x",
    ];
    for (const url of [mine, ...refused])
      fake.serve(url, { contentType: "text/plain", body: new Uint8Array([65]) });
    const copies = await copyMedia(
      { messageId: newMessageId("paths"), urls: [mine, ...refused] },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(copies[0]).toMatchObject({ state: "copied", url: mine, size: 1 });
    expect(copies.slice(1)).toEqual(
      refused.map((url, i) => ({
        state: "failed",
        url,
        n: i + 1,
        error: "not a media file of the configured account",
      })),
    );
    // One token and one media GET: nothing else was asked for, with or without the token.
    expect(fake.requests.map((request) => request.url)).toEqual([FAKE_TOKEN_URL, mine]);
  });

  it("lists a 404 as failed, and 5xx and 429 (with its wait) as to retry", async () => {
    const { fake, api } = setup();
    const [gone, broken, limited] = ["gone", "broken", "limited"].map(
      (id) => `${FAKE_MEDIA_BASE}/${id}/0/a.png`,
    );
    fake.serve(broken as string, { status: 503 });
    fake.serve(limited as string, { status: 429, retryAfter: "30" });
    const copies = await copyMedia(
      { messageId: newMessageId("errors"), urls: [gone, broken, limited] as string[] },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(copies).toEqual([
      { state: "failed", url: gone, n: 0, error: "not found (404)" },
      { state: "retry", url: broken, n: 1, error: "HTTP 503" },
      { state: "retry", url: limited, n: 2, error: "rate limited (429)", retryAfterMs: 30_000 },
    ]);
  });

  it("with the previous result, tries again only what was to retry", async () => {
    const { fake, api } = setup();
    const messageId = newMessageId("again");
    const [ok, flaky] = ["ok", "flaky"].map((id) => `${FAKE_MEDIA_BASE}/${id}/0/a.txt`) as [string, string];
    fake.serve(ok, { contentType: "text/plain", body: new Uint8Array([1]) });
    fake.serve(flaky, [{ status: 502 }, { contentType: "text/plain", body: new Uint8Array([2]) }]);
    const first = await copyMedia({ messageId, urls: [ok, flaky] }, { api, bucket: env.MEDIA_BUCKET });
    expect(first.map((copy) => copy.state)).toEqual(["copied", "retry"]);
    const second = await copyMedia(
      { messageId, urls: [ok, flaky], previous: first },
      { api, bucket: env.MEDIA_BUCKET },
    );
    expect(second.map((copy) => copy.state)).toEqual(["copied", "copied"]);
    expect(fake.requestCount(ok)).toBe(1);
    expect(fake.requestCount(flaky)).toBe(2);
  });
});

describe("deleteMediaCopies", () => {
  async function copied(messageId: string): Promise<MediaCopy[]> {
    const { fake, api } = setup();
    const urls = [0, 1].map((i) => `${FAKE_MEDIA_BASE}/del/${i}/f.txt`);
    for (const url of urls) fake.serve(url, { body: new Uint8Array([7]) });
    return copyMedia({ messageId, urls }, { api, bucket: env.MEDIA_BUCKET });
  }

  it("deletes exactly the copies it is given", async () => {
    const messageId = newMessageId("retention");
    const copies = await copied(messageId);
    expect(await deleteMediaCopies(env.MEDIA_BUCKET, messageId, copies)).toBe(2);
    expect((await env.MEDIA_BUCKET.list({ prefix: `media/${messageId}/` })).objects).toEqual([]);
  });

  it("without the copies, deletes everything under the message's prefix and nothing else", async () => {
    const [mine, other] = [newMessageId("retention"), newMessageId("retention")];
    await copied(mine);
    await copied(other);
    expect(await deleteMediaCopies(env.MEDIA_BUCKET, mine)).toBe(2);
    expect((await env.MEDIA_BUCKET.list({ prefix: `media/${mine}/` })).objects).toEqual([]);
    expect((await env.MEDIA_BUCKET.list({ prefix: `media/${other}/` })).objects).toHaveLength(2);
  });
});

describe("copyMediaRound", () => {
  const settings = (links: { bucket: R2Bucket }) => ({
    api: ACCESS,
    links: { bucket: links.bucket, secret: "media-link-secret-0123456789abcdef", ttlMs: 3_600_000 },
  });

  it("holds the event while a copy may still succeed, then forwards with every file listed", async () => {
    const fake = new FakeBandwidthFetch();
    const messageId = newMessageId("round");
    const [ok, flaky] = ["ok", "flaky"].map((id) => `${FAKE_MEDIA_BASE}/${id}/0/a.txt`) as [string, string];
    fake.serve(ok, { contentType: "text/plain", body: new Uint8Array([1]) });
    fake.serve(flaky, [{ status: 503 }, { contentType: "text/plain", body: new Uint8Array([2]) }]);
    const deps = { settings: settings({ bucket: env.MEDIA_BUCKET }), fetch: fake.fetch };
    const first = await copyMediaRound({ messageId, urls: [ok, flaky], now: 1_000 }, deps);
    expect(first.plan).toEqual({ kind: "retry", at: 61_000 });
    expect(first.round).toMatchObject({ firstAttemptAt: 1_000, rounds: 1 });
    const second = await copyMediaRound(
      { messageId, urls: [ok, flaky], previous: first.round, now: 61_000 },
      deps,
    );
    expect(second.plan.kind).toBe("forward");
    expect(second.round.copies.map((copy) => copy.state)).toEqual(["copied", "copied"]);
    const files = await toMediaFiles(messageId, second.round.copies, deps.settings.links, 61_000);
    expect(files.map((file) => ("mirrorUrl" in file ? file.mirrorUrl.split("?")[0] : file.error))).toEqual([
      `/media/${messageId}/0/a.txt`,
      `/media/${messageId}/1/a.txt`,
    ]);
  });

  it("only copies inbound events' media", () => {
    const inbound = { message: { direction: "in", media: ["https://messaging.bandwidth.com/x/0/a.png"] } };
    const outbound = { message: { direction: "out", media: ["https://messaging.bandwidth.com/x/0/a.png"] } };
    expect(inboundMediaUrls(inbound as never)).toEqual(["https://messaging.bandwidth.com/x/0/a.png"]);
    expect(inboundMediaUrls(outbound as never)).toEqual([]);
    expect(inboundMediaUrls({ message: { direction: "in" } } as never)).toEqual([]);
  });
});
