/**
 * DOWNSTREAM_URL is validated before anything is accepted: a URL with credentials, a private, link-local or
 * loopback address, or plain http outside development makes the receiver fail closed (503, nothing stored),
 * and /healthz names the setting without its value. Plain http to loopback needs ALLOW_LOOPBACK_DOWNSTREAM. A
 * downstream's redirect is never followed, so it cannot lead a forward past these checks.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index.ts";
import { downstreamUrlProblem } from "../../src/net/downstream-url.ts";
import { answerText, expectNoLeak } from "../generators/leaks.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { basicAuth, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { REDIRECT_TARGET } from "../helpers/recording-downstream.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

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

describe("a downstream that answers with a redirect", () => {
  it.each([301, 302, 303, 307, 308])(
    "is not followed (%i): the redirect's target receives nothing and the event is dead after one attempt",
    async (status) => {
      const event = statusEvent("message-sent");
      const id = event.message.id;
      await scriptDownstream(id, [status]);
      expect((await postCallback([event])).status).toBe(200);
      // The positive signal that the attempt is over: the event is dead, with what the downstream answered.
      const forwarding = await waitFor(async () => {
        const view = await env.MESSAGE_TRACKER.getByName(id).snapshot();
        const state = view?.events[0]?.forwarding.default;
        return state?.state === "dead" ? state : undefined;
      });
      expect(forwarding).toMatchObject({ state: "dead", attempts: 1, lastError: `HTTP ${status}` });
      const received = await forwardsOf(id);
      expect(received.map((forward) => forward.url)).toEqual([env.DOWNSTREAM_URL]);
      expect(received.some((forward) => forward.url.startsWith(REDIRECT_TARGET))).toBe(false);
      await settle(id);
    },
  );
});

/** Gaps the security review found, now closed: the root's trailing dot and IPv6 forms embedding IPv4. */
describe("DOWNSTREAM_URL validation edge cases", () => {
  it.each([
    "https://localhost./events",
    "https://metadata.google.internal./computeMetadata/v1/",
    "https://[::127.0.0.1]/events",
    "https://[64:ff9b::a00:1]/events",
    "https://[2002:a00:1::]/events",
    "https://[fec0::1]/events",
    "https://[ff02::1]/events",
  ])("refuses %s", (url) => {
    expect(downstreamUrlProblem(url)).toEqual(expect.any(String));
    expect(downstreamUrlProblem(url, true)).toEqual(expect.any(String));
  });

  it("still allows plain http to localhost. in development", () => {
    expect(downstreamUrlProblem("http://localhost./events", true)).toBeUndefined();
  });
});
