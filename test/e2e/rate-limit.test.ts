/**
 * maxPerSecond end to end through `wrangler dev`: a destination limited to 5 per second and an unlimited one
 * beside it, both real downstreams (two paths of one server). A burst of 80 callbacks (40 messages, sending then
 * delivered) reaches the limited one smoothed (at most 55 in any 10 s window, all 80 within 40 s, sending
 * before delivered for every message), while the unlimited one gets its events at once. Every attempt carries
 * the event's trace id in its `traceparent` header.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busiestWindow } from "../../bench/lib/burst.ts";
import { type Downstream, type DownstreamRequest, startDownstream } from "../../harness/downstream.ts";
import { DOWNSTREAM_SECRET, type Receiver, startReceiver } from "../../harness/receiver.ts";
import { waitFor } from "../../harness/wait.ts";
import { parseTraceparent } from "../../src/message/trace-context.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { AckSchema } from "./harness/answers.ts";
import { admin, postCallback } from "./harness/client.ts";
import { snapshotSources } from "./harness/sources.ts";

const LIMIT = 5;
const MESSAGES = 40;
const CALLBACKS = MESSAGES * 2;

let root = "";
let downstream: Downstream | undefined;
let receiver: Receiver | undefined;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bw-receiver-e2e-rate-"));
  const sourceDir = join(root, "sources");
  await snapshotSources(sourceDir);
  downstream = await startDownstream(DOWNSTREAM_SECRET);
  const base = `http://127.0.0.1:${downstream.port}`;
  receiver = await startReceiver({
    downstreamUrl: downstream.url,
    persistTo: join(root, "state"),
    sourceDir,
    vars: {
      DESTINATIONS: JSON.stringify([
        { name: "limited", url: `${base}/limited`, maxPerSecond: LIMIT },
        { name: "unlimited", url: `${base}/unlimited` },
      ]),
      DESTINATION_SECRET_LIMITED: DOWNSTREAM_SECRET,
      DESTINATION_SECRET_UNLIMITED: DOWNSTREAM_SECRET,
    },
  });
}, 120_000);

afterAll(async () => {
  try {
    await receiver?.stop();
  } finally {
    await downstream?.close();
    if (root) await rm(root, { recursive: true, force: true });
  }
});

/** The most requests received in any window of `windowMs`. */
function busiestRequestWindow(requests: readonly DownstreamRequest[], windowMs: number): number {
  return busiestWindow(
    requests.map((request) => request.receivedAt),
    windowMs,
  );
}

function at(path: string): DownstreamRequest[] {
  return (downstream?.requests() ?? []).filter(
    (request) => request.path === path && request.signature === "ok",
  );
}

describe("a destination limited to 5 per second beside an unlimited one", () => {
  it("smooths a burst of 80 callbacks to the limit, in order per message, while the other gets them at once", async () => {
    if (!receiver) throw new Error("no receiver");
    const started = Date.now();
    const ids = Array.from({ length: MESSAGES }, () => newMessageId("e2e-rate"));
    const post = async (type: string, id: string, second: number) => {
      const event = statusEvent(type, {
        id,
        time: `2024-09-14T18:20:${String(second).padStart(2, "0")}.000Z`,
      });
      const ack = await postCallback(receiver as Receiver, [event]);
      expect(ack.status).toBe(200);
      expect(v.parse(AckSchema, ack.body).accepted).toBe(1);
    };
    // Each message's sending is accepted before its delivered: the forwarding order the limit must keep.
    await Promise.all(ids.map((id) => post("message-sending", id, 10)));
    await Promise.all(ids.map((id) => post("message-delivered", id, 12)));
    const acked = Date.now();

    const unlimited = await waitFor(() => at("/unlimited").length >= CALLBACKS && at("/unlimited"), 15_000);
    const unlimitedDone = Math.max(...unlimited.map((request) => request.receivedAt));
    const limited = await waitFor(() => at("/limited").length >= CALLBACKS && at("/limited"), 60_000);
    const limitedDone = Math.max(...limited.map((request) => request.receivedAt));

    expect(limited).toHaveLength(CALLBACKS);
    expect(busiestRequestWindow(limited, 10_000)).toBeLessThanOrEqual(11 * LIMIT);
    expect(limitedDone - started).toBeLessThanOrEqual(40_000);
    // The limit acted: 80 attempts at 5 per second take more than 14 s, while the unlimited destination had
    // every event within a few seconds of the burst.
    expect(limitedDone - started).toBeGreaterThanOrEqual(14_000);
    expect(unlimitedDone - acked).toBeLessThan(8_000);
    expect(unlimitedDone).toBeLessThan(limitedDone - 5_000);

    for (const id of ids) {
      const types = limited
        .filter((request) => request.event?.subject === id)
        .map((request) => request.event?.type);
      expect(types).toEqual(["com.bandwidth.message.sending", "com.bandwidth.message.delivered"]);
    }
    for (const request of [...limited, ...unlimited]) {
      const header = parseTraceparent(String(request.headers.traceparent ?? ""));
      const attribute = parseTraceparent(
        (JSON.parse(request.body.toString()) as { traceparent?: string }).traceparent,
      );
      expect(header?.traceId).toBeDefined();
      expect(header?.traceId).toBe(attribute?.traceId);
      expect(header?.parentId).not.toBe(attribute?.parentId);
    }

    const listed = await admin(receiver, "GET", "/destinations");
    const body = listed.body as {
      destinations: Array<{ name: string; maxPerSecond?: number; rateLimit?: { granted: number } }>;
    };
    const view = body.destinations.find((destination) => destination.name === "limited");
    expect(view?.maxPerSecond).toBe(LIMIT);
    expect(view?.rateLimit?.granted).toBeGreaterThanOrEqual(CALLBACKS);
  }, 120_000);
});
