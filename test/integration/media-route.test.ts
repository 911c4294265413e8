/**
 * GET /media/:messageId/:n/:name through the Worker's app with the local R2 binding: the signed link is the
 * only credential; a tampered or expired link is 403 before R2 is read, a deleted copy 404, and a copy is served
 * as a download no browser renders.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index.ts";
import { mediaKey } from "../../src/media/keys.ts";
import { signMediaLink } from "../../src/media/links.ts";
import { newMessageId } from "../helpers/events.ts";

const BASE = "https://receiver.test";
const SECRET = "media-link-secret-0123456789abcdef";
const BINDINGS = { ...env, MEDIA_LINK_SECRET: SECRET } as Env;
const HOUR = 3_600_000;

async function stored(messageId: string, n = 0, name = "photo.jpg", bytes = "jpeg bytes") {
  await env.MEDIA_BUCKET.put(await mediaKey(messageId, n, name), bytes, {
    httpMetadata: { contentType: "image/jpeg" },
  });
  return signMediaLink({ messageId, n, name }, { secret: SECRET, ttlMs: 24 * HOUR }, Date.now());
}

function get(link: string, bindings: Env = BINDINGS): Promise<Response> {
  return Promise.resolve(app.request(`${BASE}${link}`, {}, bindings));
}

describe("GET /media/:messageId/:n/:name", () => {
  it("serves the copy with its type as a sandboxed, private download", async () => {
    const response = await get(await stored(newMessageId("serve")));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("jpeg bytes");
    expect(Object.fromEntries(response.headers)).toMatchObject({
      "content-type": "image/jpeg",
      "content-length": "10",
      "content-disposition": 'attachment; filename="photo.jpg"',
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox; default-src 'none'",
      "cache-control": "private",
    });
  });

  it("needs no bearer token, and ignores one", async () => {
    const link = await stored(newMessageId("bearer"));
    const response = await app.request(
      `${BASE}${link}`,
      { headers: { authorization: "Bearer nonsense" } },
      BINDINGS,
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("jpeg bytes");
  });

  it("serves a message id with slashes, spaces and non-ASCII", async () => {
    const messageId = `${newMessageId("odd")}/a b é`;
    // The same file of the message id's first part holds other bytes: the key keeps the whole id.
    await stored(messageId.split("/")[0] as string, 9, "x.png", "other bytes");
    const response = await get(await stored(messageId, 9, "x.png", "odd bytes"));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("odd bytes");
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="x.png"');
  });

  it.each([
    [
      "a changed signature",
      (link: string) => link.replace(/sig=./, (m) => (m.endsWith("A") ? "sig=B" : "sig=A")),
    ],
    [
      "a moved expiry",
      (link: string) => link.replace(/exp=(\d+)/, (_, exp: string) => `exp=${Number(exp) + 60}`),
    ],
    ["another file number", (link: string) => link.replace("/0/", "/1/")],
    ["another name", (link: string) => link.replace("photo.jpg", "photo.html")],
    ["no signature", (link: string) => link.replace(/&sig=.*$/, "")],
    ["no query", (link: string) => link.replace(/\?.*$/, "")],
    ["a file number out of range", (link: string) => link.replace("/0/", "/10/")],
  ])("answers 403 for %s, whether or not that copy exists", async (_, tamper) => {
    const messageId = newMessageId("tamper");
    const link = await stored(messageId);
    await stored(messageId, 1, "photo.jpg");
    await stored(messageId, 0, "photo.html");
    const response = await get(tamper(link));
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: "link is invalid or expired" });
  });

  it("answers 403 for an expired link", async () => {
    const messageId = newMessageId("expired");
    await stored(messageId);
    const link = await signMediaLink(
      { messageId, n: 0, name: "photo.jpg" },
      { secret: SECRET, ttlMs: 24 * HOUR },
      Date.now() - 25 * HOUR,
    );
    const response = await get(link);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: "link is invalid or expired" });
  });

  it("answers 404 for a valid link once the copy is gone", async () => {
    const messageId = newMessageId("gone");
    const link = await stored(messageId);
    await env.MEDIA_BUCKET.delete(await mediaKey(messageId, 0, "photo.jpg"));
    const response = await get(link);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "media copy not found" });
  });

  it("answers 404 when media links are off (no MEDIA_LINK_SECRET)", async () => {
    const link = await stored(newMessageId("off"));
    const response = await get(link, { ...env, MEDIA_LINK_SECRET: "" } as Env);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not found" });
  });

  it("answers 503, naming nothing secret, when a media setting is wrong", async () => {
    const link = await stored(newMessageId("broken"));
    const broken = { ...env, MEDIA_LINK_SECRET: "too-short-leak" } as Env;
    const response = await get(link, broken);
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: "media links are not configured; see /healthz" });
    expect(text).not.toContain("too-short-leak");
    const health = await (await app.request(`${BASE}/healthz`, {}, broken)).text();
    expect(JSON.parse(health)).toMatchObject({
      configured: false,
      problems: [{ setting: "MEDIA_LINK_SECRET", problem: expect.any(String) }],
    });
    expect(health).not.toContain("too-short-leak");
  });
});
