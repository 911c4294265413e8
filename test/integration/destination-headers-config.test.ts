/**
 * A bad DESTINATION_HEADERS_<NAME> is a configuration problem: callbacks answer 503 and store nothing, and
 * /healthz names the setting (and the header at most), never a value.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index.ts";
import { answerText, expectNoLeak } from "../generators/leaks.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { basicAuth } from "../helpers/http.ts";

const BASE = "https://receiver.test";
const LEAK = "leak-header-value-42";

describe("a refused DESTINATION_HEADERS_DEFAULT", () => {
  it.each([
    ["invalid JSON", `{"x-key":"${LEAK}"`, undefined],
    ["not an object", `["${LEAK}"]`, undefined],
    ["a value that is not a string", `{"x-key":{"v":"${LEAK}"}}`, "x-key"],
    ["an invalid header name", `{"bad name ${LEAK}":"v"}`, undefined],
    ["an invalid header value", JSON.stringify({ "x-key": `${LEAK}\r\nx-injected: 1` }), "x-key"],
    ["a forbidden header", `{"host":"${LEAK}.example.com"}`, "host"],
    ["a forbidden signature header", `{"webhook-signature":"${LEAK}"}`, "webhook-signature"],
  ])("with %s: callbacks answer 503, nothing is stored, /healthz names it", async (_, raw, header) => {
    const bindings = { ...env, DESTINATION_HEADERS_DEFAULT: raw } as unknown as Env;
    const messageId = newMessageId("bad-headers");
    const response = await app.request(
      `${BASE}/callbacks/messaging`,
      {
        method: "POST",
        headers: { authorization: basicAuth(), "content-type": "application/json" },
        body: JSON.stringify([statusEvent("message-sent", { id: messageId })]),
      },
      bindings,
    );
    expect(response.status).toBe(503);
    expectNoLeak(await answerText(response), [LEAK]);
    expect(await env.MESSAGE_TRACKER.getByName(messageId).snapshot()).toBeNull();
    const text = await answerText(await app.request(`${BASE}/healthz`, {}, bindings));
    expectNoLeak(text, [LEAK]);
    const body = JSON.parse(text.split("\n")[0] as string) as {
      configured: boolean;
      problems: Array<{ setting: string; problem: string }>;
    };
    expect(body.configured).toBe(false);
    expect(body.problems.map((problem) => problem.setting)).toEqual(["DESTINATION_HEADERS_DEFAULT"]);
    if (header) expect(body.problems[0]?.problem).toContain(`"${header}"`);
  });
});
