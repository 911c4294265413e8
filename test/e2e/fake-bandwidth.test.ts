/**
 * The fake Bandwidth API of harness/fake-bandwidth.ts, checked on its own (plain Node, no Worker): what the
 * client and media tests rely on must hold, or their passing would mean nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_ACCOUNT_ID,
  FAKE_CLIENT_ID,
  FAKE_CLIENT_SECRET,
  type FakeBandwidth,
  startFakeBandwidth,
} from "../../harness/fake-bandwidth.ts";
import { FIVE_MIB, lazyBytes } from "../../harness/fake-media.ts";
import { type RecordingHost, startRecordingHost } from "../../harness/recording-host.ts";
import { sleep } from "../../harness/wait.ts";

let fake: FakeBandwidth;
let other: RecordingHost;

beforeAll(async () => {
  [fake, other] = await Promise.all([startFakeBandwidth(), startRecordingHost()]);
});

afterAll(async () => {
  await Promise.all([fake?.close(), other?.close()]);
});

const BASIC = `Basic ${Buffer.from(`${FAKE_CLIENT_ID}:${FAKE_CLIENT_SECRET}`).toString("base64")}`;

async function issueToken(authorization = BASIC, body = "grant_type=client_credentials"): Promise<Response> {
  return fetch(fake.tokenUrl, {
    method: "POST",
    headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
    body,
  });
}

async function token(): Promise<string> {
  const answer = (await (await issueToken()).json()) as { access_token: string };
  return answer.access_token;
}

describe("the fake token endpoint", () => {
  it("issues a token with expires_in for the right client credentials and counts it", async () => {
    const before = fake.tokensIssued();
    const response = await issueToken();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ access_token: expect.any(String), expires_in: 3600 });
    expect(fake.tokensIssued()).toBe(before + 1);
  });

  it("refuses a wrong secret (401) and a wrong grant type (400), issuing nothing", async () => {
    const before = fake.tokensIssued();
    const wrong = `Basic ${Buffer.from(`${FAKE_CLIENT_ID}:nope`).toString("base64")}`;
    expect((await issueToken(wrong)).status).toBe(401);
    expect((await issueToken(BASIC, "grant_type=password")).status).toBe(400);
    expect(fake.tokensIssued()).toBe(before);
  });
});

describe("the fake API", () => {
  it("answers 401 without a live token, and after revokeTokens", async () => {
    const url = `${fake.apiUrl}/users/${FAKE_ACCOUNT_ID}/messages?messageId=m-1`;
    expect((await fetch(url)).status).toBe(401);
    const live = await token();
    expect((await fetch(url, { headers: { authorization: `Bearer ${live}` } })).status).toBe(200);
    fake.revokeTokens();
    expect((await fetch(url, { headers: { authorization: `Bearer ${live}` } })).status).toBe(401);
  });

  it("answers List Messages as scripted, one answer per request, the last one repeating", async () => {
    const authorization = `Bearer ${await token()}`;
    fake.scriptMessages("m-2", [{ status: 429, retryAfter: "7" }, { items: [{ messageId: "m-2" }] }]);
    const url = `${fake.apiUrl}/users/${FAKE_ACCOUNT_ID}/messages?messageId=m-2`;
    const limited = await fetch(url, { headers: { authorization } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(url, { headers: { authorization } });
      expect(await answer.json()).toMatchObject({ totalCount: 1, messages: [{ messageId: "m-2" }] });
    }
  });

  it("records every request's Authorization header by path", async () => {
    const authorization = `Bearer ${await token()}`;
    await fetch(fake.mediaUrl("small-1/0/hello.txt"), { headers: { authorization } });
    expect(fake.authorizationsFor(`/api/v2/users/${FAKE_ACCOUNT_ID}/media/small-1`).at(-1)).toBe(
      authorization,
    );
    expect(fake.authorizationsFor("/api/v1/oauth2/token").at(-1)).toBe(BASIC);
  });
});

describe("the fake's media", () => {
  it("serves a small file, and 404 for an unknown one", async () => {
    const authorization = `Bearer ${await token()}`;
    const small = await fetch(fake.mediaUrl("small-1/0/hello.txt"), { headers: { authorization } });
    expect(small.headers.get("content-type")).toBe("text/plain");
    expect(await small.text()).toBe("hello from bandwidth\n");
    expect((await fetch(fake.mediaUrl("gone/0/x.png"), { headers: { authorization } })).status).toBe(404);
  });

  it("serves exactly 5 MiB of checkable bytes with their Content-Length, and 5 MiB + 1 for the big one", async () => {
    const authorization = `Bearer ${await token()}`;
    const five = await fetch(fake.mediaUrl("lazy-5mib/0/big.bin"), { headers: { authorization } });
    expect(five.headers.get("content-length")).toBe(String(FIVE_MIB));
    const bytes = Buffer.from(await five.arrayBuffer());
    expect(bytes.length).toBe(FIVE_MIB);
    expect(bytes.equals(lazyBytes(0, FIVE_MIB))).toBe(true);
    const over = await fetch(fake.mediaUrl("over-5mib/0/huge.bin"), { headers: { authorization } });
    expect(over.headers.get("content-length")).toBe(String(FIVE_MIB + 1));
    await over.body?.cancel();
  });

  it("produces an endless body lazily, chunked, only as fast as it is read", async () => {
    const authorization = `Bearer ${await token()}`;
    const endless = await fetch(fake.mediaUrl("endless/0/stream.bin"), { headers: { authorization } });
    expect(endless.headers.get("content-length")).toBeNull();
    const reader = (endless.body as ReadableStream<Uint8Array>).getReader();
    let read = 0;
    while (read < 1024 * 1024) read += (await reader.read()).value?.byteLength ?? 0;
    await sleep(300);
    const produced = fake.production.of("endless/0/stream.bin");
    // Produced ahead of the reader only as far as the socket buffers reach, never without bound.
    expect(produced).toBeGreaterThanOrEqual(read);
    expect(produced).toBeLessThan(read + 64 * 1024 * 1024);
    await reader.cancel();
  });
});

describe("the recording host", () => {
  it("says whether it ever saw an Authorization header", async () => {
    await fetch(`${other.origin}/media/a.png`);
    expect(other.sawAuthorization()).toBe(false);
    const probe = await startRecordingHost();
    await fetch(`${probe.origin}/x`, { headers: { authorization: "Bearer t" } });
    expect(probe.sawAuthorization()).toBe(true);
    await probe.close();
  });
});
