/**
 * Talking back to Bandwidth through `wrangler dev`, against the local fake of Bandwidth's API: an inbound MMS's
 * files are copied to R2 before the event is forwarded (bytes and sha256 equal through the signed mirrorUrl; a
 * tampered or expired link refused; a file on a host that is not allowed listed with an error, and that host
 * never sees the token), and a message stuck in `sending` whose time is 4 hours ago ends `delivered` once List
 * Messages answers (after a 429 whose Retry-After is honoured), with the reconciled event forwarded.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_ACCOUNT_ID,
  FAKE_CLIENT_ID,
  FAKE_CLIENT_SECRET,
  type FakeBandwidth,
  startFakeBandwidth,
} from "../../harness/fake-bandwidth.ts";
import { type RecordingHost, startRecordingHost } from "../../harness/recording-host.ts";
import { waitFor } from "../../harness/wait.ts";
import { getMessage } from "./harness/api.ts";
import { admin, postCallback } from "./harness/client.ts";
import { type Stack, startStack } from "./harness/stack.ts";

let fake: FakeBandwidth;
let other: RecordingHost;
let stack: Stack;

beforeAll(async () => {
  [fake, other] = await Promise.all([startFakeBandwidth(), startRecordingHost()]);
  fake.addMedia("mms-1/0/photo.png", { contentType: "image/png", body: Buffer.alloc(200_000, 7) });
  stack = await startStack({
    BANDWIDTH_ACCOUNT_ID: FAKE_ACCOUNT_ID,
    BANDWIDTH_CLIENT_ID: FAKE_CLIENT_ID,
    BANDWIDTH_CLIENT_SECRET: FAKE_CLIENT_SECRET,
    BANDWIDTH_TOKEN_URL: fake.tokenUrl,
    BANDWIDTH_API_URL: fake.apiUrl,
    MEDIA_ALLOWED_HOSTS: fake.hostPort,
    MEDIA_LINK_SECRET: "e2e-media-link-secret-0123456789abcdef",
    MEDIA_URL_TTL_HOURS: "0.002",
    RECONCILE_AFTER_HOURS: "3",
    RECONCILE_MAX_AGE_HOURS: "72",
  });
}, 120_000);

afterAll(async () => {
  await Promise.all([stack?.stop(), fake?.close(), other?.close()]);
});

function inbound(id: string, media: string[]) {
  return {
    type: "message-received",
    time: new Date().toISOString(),
    description: "Incoming message received",
    to: "+15552221111",
    message: {
      id,
      owner: "+15552221111",
      applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
      time: new Date().toISOString(),
      segmentCount: 1,
      direction: "in",
      to: ["+15552221111"],
      from: "+15554443333",
      text: "",
      media,
    },
  };
}

/** A `message-sending` callback of an outbound SMS whose message time is `time`. */
function outboundSending(id: string, time: string) {
  return {
    type: "message-sending",
    time,
    description: "Message is sending to carrier",
    to: "+15554443333",
    message: {
      id,
      owner: "+15552221111",
      applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
      time,
      segmentCount: 1,
      direction: "out",
      to: ["+15554443333"],
      from: "+15552221111",
      text: "",
    },
  };
}

interface MediaFile {
  url: string;
  mirrorUrl?: string;
  contentType?: string;
  size?: number;
  sha256?: string;
  error?: string;
}

describe("inbound media", { timeout: 90_000 }, () => {
  it("copies the files before forwarding, serves them through signed links, and never sends the token elsewhere", async () => {
    const id = `mms-${Date.now().toString(36)}`;
    const urls = [
      fake.mediaUrl("small-1/0/hello.txt"),
      fake.mediaUrl("mms-1/0/photo.png"),
      `${other.origin}/media/elsewhere.png`,
    ];
    expect((await postCallback(stack.receiver, [inbound(id, urls)])).status).toBe(200);
    const delivered = await waitFor(() => stack.downstream.deliveredFor(id)[0], 30_000, "the forwarded MMS");
    const files = delivered.event?.data.mediaFiles as MediaFile[];
    expect(files.map((file) => file.url)).toEqual(urls);
    expect(files[2]).toEqual({ url: urls[2], error: expect.stringMatching(/not allowed/) });
    expect(other.requests().every((request) => request.authorization === undefined)).toBe(true);
    for (const [n, expected] of [
      [0, Buffer.from("hello from bandwidth\n")],
      [1, Buffer.alloc(200_000, 7)],
    ] as const) {
      const file = files[n];
      if (!file?.mirrorUrl) throw new Error(`file ${n} has no mirrorUrl: ${JSON.stringify(file)}`);
      expect(file.sha256).toBe(createHash("sha256").update(expected).digest("hex"));
      const response = await fetch(new URL(file.mirrorUrl, stack.receiver.baseUrl));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toMatch(/^attachment/);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(file.sha256);
      // A tampered signature is refused.
      const tampered = new URL(file.mirrorUrl, stack.receiver.baseUrl);
      tampered.searchParams.set("sig", `${tampered.searchParams.get("sig")?.slice(0, -2)}AA`);
      expect((await fetch(tampered)).status).toBe(403);
    }
    // MEDIA_URL_TTL_HOURS is 7.2 s here: the link expires.
    const first = files[0]?.mirrorUrl ?? "";
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect((await fetch(new URL(first, stack.receiver.baseUrl))).status).toBe(403);
  });
});

describe("media URLs a callback may name", { timeout: 90_000 }, () => {
  it("fetches only the configured account's media files: other paths on the allowed host are listed, never asked for", async () => {
    const id = `paths-${Date.now().toString(36)}`;
    const urls = [
      fake.mediaUrl("small-1/0/hello.txt"),
      `${fake.apiUrl}/users/other-account/media/small-1/0/hello.txt`,
      `${fake.apiUrl}/users/${FAKE_ACCOUNT_ID}/media/..%2F..%2Fother-account%2Fmedia%2Fx`,
      `${fake.apiUrl}/users/${FAKE_ACCOUNT_ID}/messages?messageId=${id}`,
    ];
    expect((await postCallback(stack.receiver, [inbound(id, urls)])).status).toBe(200);
    const delivered = await waitFor(() => stack.downstream.deliveredFor(id)[0], 30_000, "the forwarded MMS");
    const files = delivered.event?.data.mediaFiles as MediaFile[];
    expect(files[0]).toMatchObject({ url: urls[0], size: 21 });
    expect(files.slice(1)).toEqual(
      urls.slice(1).map((url) => ({ url, error: "not a media file of the configured account" })),
    );
    expect(fake.authorizationsFor("/api/v2/users/other-account")).toEqual([]);
    expect(fake.authorizationsFor(`/api/v2/users/${FAKE_ACCOUNT_ID}/media/..`)).toEqual([]);
    // Before the reconciliation test below, nothing has asked for List Messages.
    expect(fake.authorizationsFor(`/api/v2/users/${FAKE_ACCOUNT_ID}/messages`)).toEqual([]);
  });
});

describe("reconciliation", { timeout: 90_000 }, () => {
  it("ends a message stuck in sending delivered from List Messages, after honouring a 429's Retry-After", async () => {
    const id = `stuck-${Date.now().toString(36)}`;
    const fourHoursAgo = new Date(Date.now() - 4 * 3_600_000).toISOString();
    fake.scriptMessages(id, [
      { status: 429, retryAfter: "2" },
      {
        items: [
          {
            messageId: id,
            accountId: FAKE_ACCOUNT_ID,
            sourceTn: "+15552221111",
            destinationTn: "+15554443333",
            messageStatus: "DELIVERED",
            messageDirection: "OUTBOUND",
            messageType: "sms",
            segmentCount: 1,
            errorCode: 0,
            receiveTime: fourHoursAgo,
            carrierName: "T-Mobile",
          },
        ],
      },
    ]);
    const sending = outboundSending(id, fourHoursAgo);
    expect((await postCallback(stack.receiver, [sending])).status).toBe(200);
    const view = await waitFor(
      async () => {
        const message = await getMessage(stack.receiver, id);
        return message?.status === "delivered" ? message : undefined;
      },
      40_000,
      "the reconciled delivery",
    );
    expect(view?.recipients[0]?.status).toBe("delivered");
    const reconciled = await waitFor(
      () =>
        stack.downstream.deliveredFor(id).find((r) => r.event?.type === "com.bandwidth.message.reconciled"),
      20_000,
      "the reconciled event at the downstream",
    );
    expect(reconciled.event?.data).toMatchObject({
      source: "reconciliation",
      messageStatus: "DELIVERED",
      event: "delivered",
    });
    const lookups = fake.requests().filter((r) => r.path.endsWith(`/users/${FAKE_ACCOUNT_ID}/messages`));
    expect(lookups.length).toBeGreaterThanOrEqual(2);
    expect(lookups.map((r) => r.status).slice(0, 2)).toEqual([429, 200]);
    // The second lookup waited at least the 2 s the 429 asked for.
    expect((lookups[1]?.at ?? 0) - (lookups[0]?.at ?? 0)).toBeGreaterThanOrEqual(2_000);
  });
});

describe("a message reconciliation gives up on", { timeout: 60_000 }, () => {
  it("is listed by GET /messages?reconciliation=given-up and shows the give-up in its view", async () => {
    const id = `given-up-${Date.now().toString(36)}`;
    // Past RECONCILE_MAX_AGE_HOURS and its grace: no lookup is left, the message is given up at once.
    const longAgo = new Date(Date.now() - 90 * 3_600_000).toISOString();
    const sending = outboundSending(id, longAgo);
    expect((await postCallback(stack.receiver, [sending])).status).toBe(200);
    const listed = await waitFor(
      async () => {
        const page = await admin(stack.receiver, "GET", "/messages?reconciliation=given-up");
        const body = page.body as { messages: Array<{ id: string; reconciliation?: string }> };
        return body.messages.find((message) => message.id === id);
      },
      20_000,
      "the given-up message in the index",
    );
    expect(listed.reconciliation).toBe("given-up");
    const view = (await getMessage(stack.receiver, id)) as unknown as {
      status: string;
      reconciliation: { givenUp: { recipients: string[] } };
    };
    expect(view.status).toBe("sending");
    expect(view.reconciliation.givenUp.recipients).toEqual(["+15554443333"]);
    expect(fake.requests().some((r) => r.query.includes(id))).toBe(false);
  });
});
