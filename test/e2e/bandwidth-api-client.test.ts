/**
 * The Bandwidth API client (src/bandwidth/api-client.ts) against the local fake of Bandwidth's API, over real
 * HTTP in Node, built the way the Worker builds it: settings from parseMediaSettings. OAuth2 tokens cached
 * and refreshed, a 401 refreshed once, 429 returned with its wait (never slept on), timeouts, List Messages
 * parsed, and the token never sent anywhere but the API and the allowed media hosts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import {
  FAKE_ACCOUNT_ID,
  FAKE_CLIENT_ID,
  FAKE_CLIENT_SECRET,
  type FakeBandwidth,
  startFakeBandwidth,
} from "../../harness/fake-bandwidth.ts";
import { type RecordingHost, startRecordingHost } from "../../harness/recording-host.ts";
import { type BandwidthApiOptions, createBandwidthApi } from "../../src/bandwidth/api-client.ts";
import { TokenCache } from "../../src/bandwidth/oauth-token.ts";
import { type BandwidthAccess, parseMediaSettings } from "../../src/media/settings.ts";

let fake: FakeBandwidth;
let other: RecordingHost;
let logs: string[];

beforeAll(async () => {
  [fake, other] = await Promise.all([startFakeBandwidth(), startRecordingHost()]);
});

afterAll(async () => {
  await Promise.all([fake?.close(), other?.close()]);
});

beforeEach(() => {
  logs = [];
  for (const level of ["log", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => void logs.push(String(line)));
  }
  fake.acceptTokens(true);
  fake.setTokenLifetime(3600);
});

afterEach(() => {
  vi.restoreAllMocks();
  // Nothing any call logged may carry a secret, a token or a phone number.
  const text = logs.join("\n");
  expect(text).not.toContain(FAKE_CLIENT_SECRET);
  expect(text).not.toContain("fake-token-");
  expect(text).not.toContain("5554443333");
});

/** The client's settings, read from the environment exactly as the Worker reads them. */
function access(): BandwidthAccess {
  const result = parseMediaSettings({
    BANDWIDTH_ACCOUNT_ID: FAKE_ACCOUNT_ID,
    BANDWIDTH_CLIENT_ID: FAKE_CLIENT_ID,
    BANDWIDTH_CLIENT_SECRET: FAKE_CLIENT_SECRET,
    BANDWIDTH_TOKEN_URL: fake.tokenUrl,
    BANDWIDTH_API_URL: fake.apiUrl,
    MEDIA_ALLOWED_HOSTS: fake.hostPort,
    ALLOW_LOOPBACK_DOWNSTREAM: "true",
  });
  if (!result.ok || !result.settings.api) throw new Error(`settings refused: ${JSON.stringify(result)}`);
  return result.settings.api;
}

/** A client with its own token cache, so that every test counts its own token requests. */
function client(options: BandwidthApiOptions = {}) {
  return createBandwidthApi(access(), { tokens: new TokenCache(), ...options });
}

const ITEM = {
  messageId: "m-delivered",
  accountId: FAKE_ACCOUNT_ID,
  sourceTn: "+15552221111",
  destinationTn: "+15554443333",
  messageStatus: "DELIVERED",
  messageDirection: "OUTBOUND",
  messageType: "sms",
  segmentCount: 1,
  errorCode: 0,
  receiveTime: "2024-09-14T18:20:15.000Z",
  carrierName: "other",
  campaignClass: null,
  someFieldAddedLater: { nested: true },
};

describe("listMessages", () => {
  it("returns the items read with the listMessageItem schema, unknown fields kept", async () => {
    fake.scriptMessages("m-delivered", [{ items: [ITEM, { messageStatus: "SENT" }] }]);
    const result = await client().listMessages(FAKE_ACCOUNT_ID, "m-delivered");
    expect(result).toEqual({ ok: true, value: { items: [ITEM], unreadable: 1 } });
    const [request] = fake
      .requests()
      .filter((r) => r.path.endsWith("/messages") && r.query.includes("m-delivered"));
    expect(request?.path).toBe(`/api/v2/users/${FAKE_ACCOUNT_ID}/messages`);
    expect(new URLSearchParams(request?.query).get("messageId")).toBe("m-delivered");
  });

  it("encodes a message id with special characters in the query", async () => {
    const id = "9e0df4ca b18d/40d7&a59f=82fc";
    fake.scriptMessages(id, [{ items: [{ ...ITEM, messageId: id }] }]);
    const result = await client().listMessages(FAKE_ACCOUNT_ID, id);
    expect(result.ok && result.value.items[0]?.messageId).toBe(id);
  });

  it("answers 429 as rate-limited with the Retry-After wait, at once and without a retry", async () => {
    fake.scriptMessages("m-429", [{ status: 429, retryAfter: "7" }]);
    const started = Date.now();
    const result = await client().listMessages(FAKE_ACCOUNT_ID, "m-429");
    expect(result).toEqual({ ok: false, kind: "rate-limited", status: 429, retryAfterMs: 7000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(fake.requests().filter((r) => r.query.includes("m-429"))).toHaveLength(1);
  });

  it("reads a Retry-After given as an HTTP date", async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    fake.scriptMessages("m-429-date", [{ status: 429, retryAfter: new Date(now + 90_000).toUTCString() }]);
    const result = await client({ now: () => now }).listMessages(FAKE_ACCOUNT_ID, "m-429-date");
    expect(result).toMatchObject({ ok: false, kind: "rate-limited", retryAfterMs: 90_000 });
  });

  it("gives up on a hanging answer after its timeout, as unavailable", async () => {
    fake.scriptMessages("m-hang", [{ hang: true }]);
    const started = Date.now();
    const result = await client({ timeouts: { apiMs: 300 } }).listMessages(FAKE_ACCOUNT_ID, "m-hang");
    expect(result).toEqual({ ok: false, kind: "unavailable", reason: "timeout" });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("classifies 5xx as unavailable and other 4xx as rejected", async () => {
    fake.scriptMessages("m-500", [{ status: 503 }]);
    fake.scriptMessages("m-400", [{ status: 400 }]);
    const api = client();
    expect(await api.listMessages(FAKE_ACCOUNT_ID, "m-500")).toMatchObject({
      ok: false,
      kind: "unavailable",
      status: 503,
    });
    expect(await api.listMessages(FAKE_ACCOUNT_ID, "m-400")).toMatchObject({
      ok: false,
      kind: "rejected",
      status: 400,
    });
  });
});

describe("the OAuth2 token", () => {
  it("is requested once and reused by every call while it is valid", async () => {
    const before = fake.tokensIssued();
    const api = client();
    await Promise.all([1, 2, 3].map(() => api.listMessages(FAKE_ACCOUNT_ID, "m-cache")));
    await api.listMessages(FAKE_ACCOUNT_ID, "m-cache");
    expect(fake.tokensIssued()).toBe(before + 1);
    const tokens = new Set(fake.authorizationsFor(`/api/v2/users/${FAKE_ACCOUNT_ID}/messages`).slice(-4));
    expect(tokens.size).toBe(1);
  });

  it("is shared by clients of the same isolate cache", async () => {
    const before = fake.tokensIssued();
    const tokens = new TokenCache();
    await createBandwidthApi(access(), { tokens }).listMessages(FAKE_ACCOUNT_ID, "m-shared");
    await createBandwidthApi(access(), { tokens }).listMessages(FAKE_ACCOUNT_ID, "m-shared");
    expect(fake.tokensIssued()).toBe(before + 1);
  });

  it("is refreshed before it expires, not after", async () => {
    fake.setTokenLifetime(120);
    let now = Date.now();
    const api = client({ now: () => now });
    const before = fake.tokensIssued();
    await api.listMessages(FAKE_ACCOUNT_ID, "m-refresh");
    now += 59_000;
    await api.listMessages(FAKE_ACCOUNT_ID, "m-refresh");
    expect(fake.tokensIssued()).toBe(before + 1);
    // 61 s into a 120 s token: inside the last minute, so a new one is fetched before this call.
    now += 2_000;
    await api.listMessages(FAKE_ACCOUNT_ID, "m-refresh");
    expect(fake.tokensIssued()).toBe(before + 2);
  });

  it("is refreshed once after a 401, and the call retried with the new token", async () => {
    const api = client();
    await api.listMessages(FAKE_ACCOUNT_ID, "m-401");
    const before = fake.tokensIssued();
    fake.revokeTokens();
    const result = await api.listMessages(FAKE_ACCOUNT_ID, "m-401");
    expect(result.ok).toBe(true);
    expect(fake.tokensIssued()).toBe(before + 1);
    const [old, refused, renewed] = fake
      .authorizationsFor(`/api/v2/users/${FAKE_ACCOUNT_ID}/messages`)
      .slice(-3);
    expect(refused).toBe(old);
    expect(renewed).not.toBe(old);
  });

  it("answers unauthorized when a fresh token is refused too, after exactly one refresh", async () => {
    fake.acceptTokens(false);
    const before = fake.tokensIssued();
    const result = await client().listMessages(FAKE_ACCOUNT_ID, "m-no-role");
    expect(result).toMatchObject({ ok: false, kind: "unauthorized", status: 401 });
    expect(fake.tokensIssued()).toBe(before + 2);
  });

  it("answers unauthorized when the token endpoint refuses the credentials", async () => {
    const wrong = { ...access(), clientSecret: "not-the-secret" };
    const result = await createBandwidthApi(wrong, { tokens: new TokenCache() }).listMessages(
      FAKE_ACCOUNT_ID,
      "m",
    );
    expect(result).toMatchObject({ ok: false, kind: "unauthorized", status: 401 });
    expect(logs.join("\n")).not.toContain("not-the-secret");
  });

  it("answers rate-limited when the token endpoint says 429", async () => {
    fake.failTokenRequests([429]);
    const result = await client().listMessages(FAKE_ACCOUNT_ID, "m-token-429");
    expect(result).toEqual({ ok: false, kind: "rate-limited", status: 429, retryAfterMs: 7000 });
  });

  it("goes with Basic client credentials to the token endpoint only, never as a bearer", async () => {
    await client().listMessages(FAKE_ACCOUNT_ID, "m-basic");
    const basic = `Basic ${Buffer.from(`${FAKE_CLIENT_ID}:${FAKE_CLIENT_SECRET}`).toString("base64")}`;
    expect(fake.authorizationsFor("/api/v1/oauth2/token").at(-1)).toBe(basic);
    for (const authorization of fake.authorizationsFor("/api/v1/oauth2/token")) {
      expect(authorization).toMatch(/^Basic /);
    }
    for (const authorization of fake.authorizationsFor("/api/v2/")) {
      expect(authorization ?? "").not.toContain("Basic");
    }
  });
});

describe("fetchMedia", () => {
  it("GETs an allowed media URL with the token and hands back the unread body", async () => {
    const result = await client().fetchMedia(fake.mediaUrl("small-1/0/hello.txt"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(await result.value.text()).toBe("hello from bandwidth\n");
    expect(fake.authorizationsFor(`/api/v2/users/${FAKE_ACCOUNT_ID}/media/small-1`).at(-1)).toMatch(
      /^Bearer /,
    );
  });

  it("answers not-found for a 404", async () => {
    expect(await client().fetchMedia(fake.mediaUrl("gone/0/x.png"))).toEqual({
      ok: false,
      kind: "not-found",
      status: 404,
    });
  });

  it("refuses a host that is not allowed without any request, so it never sees the token", async () => {
    const api = client();
    expect(api.mayReceiveToken(`${other.origin}/api/v2/users/1/media/x/0/a.png`)).toBe(false);
    const result = await api.fetchMedia(`${other.origin}/api/v2/users/1/media/x/0/a.png`);
    expect(result).toMatchObject({ ok: false, kind: "not-allowed" });
    expect(other.requests()).toHaveLength(0);
  });

  it("does not follow a redirect to a host that is not allowed", async () => {
    fake.addMedia("moved/0/a.png", {
      contentType: "image/png",
      body: Buffer.alloc(0),
      redirectTo: `${other.origin}/a.png`,
    });
    const result = await client().fetchMedia(fake.mediaUrl("moved/0/a.png"));
    expect(result).toMatchObject({
      ok: false,
      kind: "not-allowed",
      reason: "redirected to a host that is not allowed",
    });
    expect(other.sawAuthorization()).toBe(false);
    expect(other.requests()).toHaveLength(0);
  });

  it("follows a redirect that stays on an allowed host, with the token", async () => {
    fake.addMedia("moved/1/b.txt", {
      contentType: "text/plain",
      body: Buffer.alloc(0),
      redirectTo: fake.mediaUrl("small-1/0/hello.txt"),
    });
    const result = await client().fetchMedia(fake.mediaUrl("moved/1/b.txt"));
    expect(result.ok && (await result.value.text())).toBe("hello from bandwidth\n");
  });

  it("refuses URLs with credentials, other schemes, and paths of the API host outside the API base", async () => {
    const api = client();
    expect(api.mayReceiveToken(fake.mediaUrl("small-1/0/hello.txt").replace("http://", "http://u:p@"))).toBe(
      false,
    );
    expect(api.mayReceiveToken("ftp://messaging.bandwidth.com/x")).toBe(false);
    expect(api.mayReceiveToken("https://messaging.bandwidth.com/api/v2/users/1/media/a")).toBe(true);
    expect(api.mayReceiveToken("http://messaging.bandwidth.com/api/v2/users/1/media/a")).toBe(false);
    expect(api.mayReceiveToken("https://messaging.bandwidth.com.evil.example/api/v2/x")).toBe(false);
  });
});
