/**
 * The body limits, at their edges: a callback of exactly 1 MiB is accepted and one byte more is refused with
 * 413 and stores nothing (DESIGN.md), counted in bytes whatever the characters and whether or not the request
 * declares its length; the operator API's small JSON bodies have their own limit.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { streamOf } from "../generators/json-text.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, basicAuth } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";

const MIB = 1024 * 1024;

/** A valid one-event body of exactly `bytes` UTF-8 bytes, padded with `unit` in an unknown field. */
function bodyOfSize(messageId: string, bytes: number, unit = "p"): string {
  const event = statusEvent("message-sent", { id: messageId, extra: { padding: "" } });
  const empty = JSON.stringify([event]);
  const missing = bytes - new TextEncoder().encode(empty).length;
  const unitBytes = new TextEncoder().encode(unit).length;
  const padding = unit.repeat(Math.floor(missing / unitBytes)) + "p".repeat(missing % unitBytes);
  const body = JSON.stringify([{ ...event, padding }]);
  expect(new TextEncoder().encode(body).length).toBe(bytes);
  return body;
}

function post(body: string | ReadableStream<Uint8Array>): Promise<Response> {
  return exports.default.fetch("https://receiver.test/callbacks/messaging", {
    method: "POST",
    headers: { authorization: basicAuth(), "content-type": "application/json" },
    body,
  });
}

describe("the callback body limit of 1 MiB", () => {
  it.each([
    ["ASCII, with a content length", "p", false],
    ["two-byte characters, with a content length", "é", false],
    ["four-byte characters, streamed without a content length", "😀", true],
  ])("accepts exactly 1 MiB and refuses 1 MiB + 1 byte with 413 (%s)", async (_, unit, streamed) => {
    const fits = newMessageId("limit");
    const over = newMessageId("limit");
    const atLimit = bodyOfSize(fits, MIB, unit);
    const overLimit = bodyOfSize(over, MIB + 1, unit);
    expect((await post(streamed ? streamOf(atLimit) : atLimit)).status).toBe(200);
    const refused = await post(streamed ? streamOf(overLimit) : overLimit);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({ error: expect.any(String) });
    expect(await env.MESSAGE_TRACKER.getByName(over).snapshot()).toBeNull();
    await settle(fits);
  });
});

describe("the operator API's body limit of 16 KiB", () => {
  it.each([
    ["ASCII", "x", 16 * 1024 + 1],
    ["two-byte characters, counted in bytes", "é", 8 * 1024 + 1],
  ])("refuses a larger redelivery body with 413 (%s)", async (_, unit, count) => {
    const body = `{"all": true, "pad": "${unit.repeat(count)}"}`;
    const response = await admin(`/messages/${newMessageId()}/redeliver`, { method: "POST", body });
    expect(response.status).toBe(413);
    const streamed = await admin("/dead-letters/redeliver", { method: "POST", body: streamOf(body) });
    expect(streamed.status).toBe(413);
  });
});
