/**
 * DOWNSTREAM_URL is validated before anything is accepted: a URL with credentials, a private, link-local or
 * loopback address, or plain http outside development makes the receiver fail closed (503, nothing stored),
 * and /healthz names the setting without its value. Plain http to loopback needs ALLOW_LOOPBACK_DOWNSTREAM.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { downstreamUrlProblem } from "../../src/forward/downstream-url.ts";
import { app } from "../../src/index.ts";
import { answerText, expectNoLeak } from "../fuzz/leaks.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { basicAuth } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";

const BASE = "https://receiver.test";

async function callbackWith(bindings: Env, messageId: string): Promise<Response> {
  return app.request(
    `${BASE}/callbacks/messaging`,
    {
      method: "POST",
      headers: { authorization: basicAuth(), "content-type": "application/json" },
      body: JSON.stringify([statusEvent("message-sent", { id: messageId })]),
    },
    bindings,
  );
}

describe("a refused DOWNSTREAM_URL", () => {
  it.each([
    ["credentials in it", "https://leak-user:leak-password@events.example.com/hooks", "false"],
    ["a private address", "https://10.20.30.40/leak-path", "false"],
    ["a link-local address (cloud metadata)", "https://169.254.169.254/leak-path", "false"],
    ["a loopback address over https", "https://127.0.0.1/leak-path", "true"],
    ["plain http to a public host", "http://events.example.com/leak-path", "true"],
    ["plain http to loopback outside development", "http://127.0.0.1:9/leak-path", "false"],
  ])(
    "with %s: callbacks answer 503, nothing is stored, /healthz names the setting only",
    async (_, url, loopback) => {
      const bindings = { ...env, DOWNSTREAM_URL: url, ALLOW_LOOPBACK_DOWNSTREAM: loopback } as Env;
      const messageId = newMessageId("refused");
      const response = await callbackWith(bindings, messageId);
      expect(response.status).toBe(503);
      expectNoLeak(await answerText(response), [url, "leak-"]);
      expect(await env.MESSAGE_TRACKER.getByName(messageId).snapshot()).toBeNull();
      const health = await app.request(`${BASE}/healthz`, {}, bindings);
      const text = await answerText(health);
      expectNoLeak(text, [url, "leak-", new URL(url).hostname]);
      expect(JSON.parse(text.split("\n")[0] as string)).toMatchObject({
        configured: false,
        problems: [{ setting: "DOWNSTREAM_URL", problem: expect.any(String) }],
      });
    },
  );

  it("accepts plain http to loopback only with ALLOW_LOOPBACK_DOWNSTREAM=true (development)", async () => {
    const messageId = newMessageId("loopback");
    const bindings = {
      ...env,
      DOWNSTREAM_URL: "http://127.0.0.1:9/events",
      ALLOW_LOOPBACK_DOWNSTREAM: "true",
    } as Env;
    expect((await callbackWith(bindings, messageId)).status).toBe(200);
    await settle(messageId);
  });
});

/**
 * Gaps found in src/forward/downstream-url.ts (owned by the forwarding work; reported, not fixed here): names
 * written with the root's trailing dot skip the `localhost` / `.internal` checks, and IPv6 forms that embed an
 * IPv4 address (IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`) skip the private and loopback checks.
 * `it.fails` keeps the suite green while they stand; each turns red once fixed, to be made a plain `it`.
 */
describe("known gaps in DOWNSTREAM_URL validation", () => {
  it.fails.each([
    "https://localhost./events",
    "https://metadata.google.internal./computeMetadata/v1/",
    "https://[::127.0.0.1]/events",
    "https://[64:ff9b::a00:1]/events",
  ])("refuses %s", (url) => {
    expect(downstreamUrlProblem(url)).toEqual(expect.any(String));
  });
});
