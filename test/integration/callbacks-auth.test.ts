import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/index.ts";
import { statusEvent } from "../helpers/events.ts";
import { basicAuth, postCallback } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";

const url = "https://receiver.test/callbacks/messaging";

describe("the Basic challenge", () => {
  it("answers a request without credentials 401 with WWW-Authenticate: Basic realm", async () => {
    const response = await postCallback([statusEvent("message-delivered")], { authorization: "" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Basic realm="[^"]+"/);
  });

  it("answers wrong credentials 401 and stores nothing", async () => {
    const event = statusEvent("message-delivered");
    const response = await postCallback([event], { authorization: basicAuth("bandwidth", "wrong") });
    expect(response.status).toBe(401);
    const state = await env.MESSAGE_TRACKER.getByName(event.message.id).snapshot();
    expect(state).toBeNull();
  });

  it("decides before reading the body: a body that cannot be read still gets the 401", async () => {
    let pulled = false;
    // highWaterMark 0: the stream is pulled only when somebody reads it.
    const body = new ReadableStream(
      {
        pull() {
          pulled = true;
          throw new Error("the body must not be read before authentication");
        },
      },
      { highWaterMark: 0 },
    );
    // Through the app directly: going through the runtime's fetch would pump the stream regardless.
    const request = new Request(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const response = await app.fetch(request, env);
    expect(response.status).toBe(401);
    expect(pulled).toBe(false);
  });

  it("accepts the previous credentials during a rotation, and the new ones", async () => {
    const rotating = {
      ...env,
      CALLBACK_USERNAME_PREVIOUS: "old-user",
      CALLBACK_PASSWORD_PREVIOUS: "old-callback-password",
    };
    const sent: string[] = [];
    const send = (authorization: string) => {
      const event = statusEvent("message-sending");
      sent.push(event.message.id);
      return app.request(
        url,
        {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: JSON.stringify([event]),
        },
        rotating,
      );
    };
    expect((await send(basicAuth("old-user", "old-callback-password"))).status).toBe(200);
    expect((await send(basicAuth())).status).toBe(200);
    expect((await send(basicAuth("old-user", "wrong"))).status).toBe(401);
    await settle(...sent);
  });
});

describe("failing closed", () => {
  it("answers 503 when neither credentials nor ALLOW_UNAUTHENTICATED_CALLBACKS are set", async () => {
    const unconfigured = { ...env, CALLBACK_USERNAME: undefined, CALLBACK_PASSWORD: undefined };
    const response = await app.request(
      url,
      { method: "POST", headers: { "content-type": "application/json" }, body: "[]" },
      unconfigured,
    );
    expect(response.status).toBe(503);
  });

  it("accepts callbacks without credentials only when ALLOW_UNAUTHENTICATED_CALLBACKS is true", async () => {
    const open = {
      ...env,
      CALLBACK_USERNAME: undefined,
      CALLBACK_PASSWORD: undefined,
      ALLOW_UNAUTHENTICATED_CALLBACKS: "true",
    };
    const event = statusEvent("message-sent");
    const response = await app.request(
      url,
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([event]) },
      open,
    );
    expect(response.status).toBe(200);
    await settle(event.message.id);
  });

  it.each([
    ["CALLBACK_PASSWORD", { CALLBACK_PASSWORD: "fifteen-chars-x" }],
    [
      "CALLBACK_PASSWORD_PREVIOUS",
      { CALLBACK_USERNAME_PREVIOUS: "old-user", CALLBACK_PASSWORD_PREVIOUS: "short-previous" },
    ],
  ])(
    "refuses a %s under 16 characters: 503, nothing stored, /healthz names it",
    async (setting, settings) => {
      const short = { ...env, ...settings, ALLOW_UNAUTHENTICATED_CALLBACKS: "true" };
      const password = Object.values(settings).at(-1) as string;
      const event = statusEvent("message-sent");
      const response = await app.request(
        url,
        {
          method: "POST",
          headers: {
            authorization: basicAuth(short.CALLBACK_USERNAME ?? "", short.CALLBACK_PASSWORD ?? ""),
            "content-type": "application/json",
          },
          body: JSON.stringify([event]),
        },
        short,
      );
      // Not open mode either, though ALLOW_UNAUTHENTICATED_CALLBACKS is true: a set pair is never ignored.
      expect(response.status).toBe(503);
      expect(await env.MESSAGE_TRACKER.getByName(event.message.id).snapshot()).toBeNull();
      const health = await app.request("https://receiver.test/healthz", {}, short);
      const text = await health.text();
      expect(JSON.parse(text)).toMatchObject({
        configured: false,
        problems: [{ setting, problem: "must be at least 16 characters" }],
      });
      expect(text).not.toContain(password);
    },
  );

  it("reports incomplete configuration in /healthz by setting name, never by value", async () => {
    const broken = { ...env, DOWNSTREAM_SECRET: "not-a-secret-value", ADMIN_TOKEN: undefined };
    const response = await app.request("https://receiver.test/healthz", {}, broken);
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text) as { configured: boolean; problems: Array<{ setting: string }> };
    expect(body.configured).toBe(false);
    expect(body.problems.map((p) => p.setting).sort()).toEqual(["ADMIN_TOKEN", "DOWNSTREAM_SECRET"]);
    expect(text).not.toContain("not-a-secret-value");
    expect(text).not.toContain(env.CALLBACK_PASSWORD ?? "?");
  });

  it("reports a complete configuration and the version in /healthz", async () => {
    const response = await exports.default.fetch("https://receiver.test/healthz");
    const body = (await response.json()) as { configured: boolean; version: string };
    expect(body.configured).toBe(true);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });
});
