/**
 * Nobody gets in without credentials: through the real Worker, wrong callback credentials and wrong admin
 * tokens of every length from empty to twice the real one (and every prefix and extension of the real one)
 * are refused with a challenge, store nothing, and are never echoed.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { answerText, expectNoLeak } from "../generators/leaks.ts";
import { TEST_ADMIN_TOKEN, TEST_PASSWORD, TEST_SECRET, TEST_USERNAME } from "../helpers/bindings.ts";
import { statusEvent } from "../helpers/events.ts";
import { admin, basicAuth, postCallback } from "../helpers/http.ts";

const SECRETS = [TEST_PASSWORD, TEST_ADMIN_TOKEN, TEST_SECRET];

/** Every wrong guess of `secret` that shares its length, prefix or content: empty to twice as long. */
function wrongGuesses(secret: string): string[] {
  const guesses = new Set<string>();
  for (let length = 0; length <= 2 * secret.length + 1; length++) {
    guesses.add("x".repeat(length));
    guesses.add(secret.slice(0, length));
    guesses.add(`${secret}${"x".repeat(length)}`);
    guesses.add(secret.padEnd(length, secret).slice(0, length));
  }
  guesses.add(secret.toUpperCase());
  guesses.delete(secret);
  return [...guesses];
}

describe("callback credentials", () => {
  it("refuses every wrong password and every wrong username, of every length, with the Basic challenge", async () => {
    const event = statusEvent("message-delivered");
    const attempts = [
      ...wrongGuesses(TEST_PASSWORD).map((password) => basicAuth(TEST_USERNAME, password)),
      ...wrongGuesses(TEST_USERNAME).map((username) => basicAuth(username, TEST_PASSWORD)),
      basicAuth(TEST_PASSWORD, TEST_USERNAME),
      basicAuth(`${TEST_USERNAME}:${TEST_PASSWORD}`, ""),
      `Bearer ${TEST_ADMIN_TOKEN}`,
      `Basic ${btoa(`${TEST_USERNAME}${TEST_PASSWORD}`)}`,
      `Digest username="${TEST_USERNAME}"`,
      `${basicAuth()}, ${basicAuth()}`,
    ];
    expect(attempts.length).toBeGreaterThan(100);
    for (const authorization of attempts) {
      const response = await postCallback([event], { authorization });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Basic realm="[^"]+"/);
      expectNoLeak(await answerText(response), [...SECRETS, authorization.slice(6)], "a 401");
    }
    expect(await env.MESSAGE_TRACKER.getByName(event.message.id).snapshot()).toBeNull();
  });
});

describe("the admin token", () => {
  const routes: Array<[string, RequestInit]> = [
    ["/messages/some-message", {}],
    ["/messages/some-message/redeliver", { method: "POST", body: '{"all": true}' }],
    ["/dead-letters", {}],
    ["/dead-letters/redeliver", { method: "POST", body: "{}" }],
    ["/destinations", {}],
    ["/destinations/default/pause", { method: "POST" }],
    ["/destinations/default/resume", { method: "POST" }],
  ];

  it.each(routes)(
    "refuses every wrong token of every length on %s with a Bearer challenge",
    async (path, init) => {
      const attempts = [
        ...wrongGuesses(TEST_ADMIN_TOKEN).map((token) => `Bearer ${token}`),
        TEST_ADMIN_TOKEN,
        `Basic ${btoa(`admin:${TEST_ADMIN_TOKEN}`)}`,
        basicAuth(),
        `Bearer ${TEST_PASSWORD}`,
        `Bearer ${TEST_ADMIN_TOKEN} ${TEST_ADMIN_TOKEN}`,
      ];
      for (const authorization of attempts) {
        const response = await exports.default.fetch(`https://receiver.test${path}`, {
          ...init,
          headers: { authorization },
        });
        expect(response.status, authorization).toBe(401);
        expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="[^"]+"/);
        expectNoLeak(await answerText(response), SECRETS, "a 401");
      }
    },
  );
});

describe("the operator API's answers", () => {
  it.each([
    ["/messages/unknown-message", {}, 404],
    ["/messages/unknown-message/redeliver", { method: "POST" }, 404],
    ["/dead-letters?limit=1", {}, 200],
    ["/dead-letters?limit=0", {}, 400],
    ["/destinations", {}, 200],
    ["/destinations/nowhere/pause", { method: "POST" }, 404],
  ] as Array<[string, RequestInit, number]>)("are never cached (%s)", async (path, init, status) => {
    const response = await admin(path, init);
    expect(response.status).toBe(status);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });
});
