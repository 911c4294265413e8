/**
 * No stack traces and no secrets in any response, /healthz included: every route is called with a broken
 * configuration whose secrets have distinctive values, with a complete one, and with storage that fails; no
 * answer (body or header) holds a secret value, a stack frame or an `Error:` text, and no log line a secret.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { app } from "../../src/index.ts";
import { answerText, expectNoLeak } from "../generators/leaks.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { basicAuth } from "../helpers/http.ts";
import { settle } from "../helpers/settle.ts";

const BASE = "https://receiver.test";

/** Settings whose values must never come back, each distinctive enough to be found if they did. */
const BROKEN = {
  CALLBACK_USERNAME: "leak-callback-user",
  CALLBACK_PASSWORD: "leak-callback-password",
  CALLBACK_USERNAME_PREVIOUS: "leak-previous-user",
  ADMIN_TOKEN: "leak-adm-1",
  DOWNSTREAM_SECRET: "leak-downstream-secret",
  DOWNSTREAM_URL: "https://leak-url-user:leak-url-password@10.0.0.1/leak-url-path",
  FORWARD_TIMEOUT_MS: "leak-tuning-value",
};
const COMPLETE = {
  CALLBACK_USERNAME: "leak-callback-user-2",
  CALLBACK_PASSWORD: "leak-callback-password-2",
  ADMIN_TOKEN: "leak-admin-token-0123456789",
  DOWNSTREAM_SECRET: "whsec_bGVhay1kb3duc3RyZWFtLXNpZ25pbmcta2V5",
  DOWNSTREAM_URL: "https://events.example.com/hooks",
  ALLOW_LOOPBACK_DOWNSTREAM: "false",
};
const STORAGE_DETAIL = "leak-storage-detail";
/** What a failing store (503) and a failing read (500) answer: a plain error, no detail. */
const STORAGE_FAILURE_BODIES = [{ error: "storage unavailable; retry" }, { error: "internal error" }];

/** One request of every kind the receiver answers: each route, right and wrong credentials, bad bodies. */
function everyRequest(
  settings: { CALLBACK_USERNAME: string; CALLBACK_PASSWORD: string; ADMIN_TOKEN: string },
  messageId: string,
) {
  const callbackAuth = basicAuth(settings.CALLBACK_USERNAME, settings.CALLBACK_PASSWORD);
  const bearer = `Bearer ${settings.ADMIN_TOKEN}`;
  const json = "application/json";
  const event = JSON.stringify([statusEvent("message-sent", { id: messageId })]);
  const requests: Array<[string, RequestInit]> = [
    ["/healthz", {}],
    [
      "/callbacks/messaging",
      { method: "POST", headers: { authorization: callbackAuth, "content-type": json }, body: event },
    ],
    [
      "/callbacks/messaging",
      { method: "POST", headers: { authorization: callbackAuth, "content-type": json }, body: "[{" },
    ],
    [
      "/callbacks/messaging",
      { method: "POST", headers: { authorization: callbackAuth, "content-type": "text/plain" }, body: event },
    ],
    [
      "/callbacks/messaging",
      { method: "POST", headers: { authorization: basicAuth("x", "y"), "content-type": json }, body: event },
    ],
    ["/callbacks/messaging", { method: "PUT", headers: { authorization: callbackAuth }, body: event }],
    [`/messages/${messageId}`, { headers: { authorization: bearer } }],
    [
      `/messages/${messageId}/redeliver`,
      { method: "POST", headers: { authorization: bearer }, body: '{"all": 1}' },
    ],
    [
      `/messages/${messageId}/redeliver`,
      { method: "POST", headers: { authorization: bearer }, body: "x".repeat(20_000) },
    ],
    ["/dead-letters?limit=0", { headers: { authorization: bearer } }],
    ["/dead-letters?cursor=leak", { headers: { authorization: bearer } }],
    ["/dead-letters/redeliver", { method: "POST", headers: { authorization: bearer }, body: "{" }],
    ["/dead-letters", { headers: { authorization: "Bearer wrong-token-0123456789" } }],
    ["/no-such-route", {}],
  ];
  return requests;
}

/** Sends every request against `bindings` and checks each answer and each log line for leaks. */
async function expectNothingLeaks(
  bindings: Env,
  secrets: string[],
  messageId = "leak-message",
): Promise<Array<{ status: number; body: unknown }>> {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) =>
      lines.push(args.map(String).join(" ")),
    );
  }
  const answers: Array<{ status: number; body: unknown }> = [];
  const settings = bindings as unknown as Parameters<typeof everyRequest>[0];
  for (const [path, init] of everyRequest(settings, messageId)) {
    const response = await app.request(`${BASE}${path}`, init, bindings);
    const answer = await answerText(response);
    answers.push({ status: response.status, body: JSON.parse(answer.split("\n")[0] as string) });
    expect(response.headers.get("content-type") ?? "", `${path}: ${answer}`).toMatch(/^application\/json/);
    expectNoLeak(answer, secrets, `the answer to ${init.method ?? "GET"} ${path}`);
  }
  // Log lines may name an internal failure (that is what they are for), but never a configured secret.
  const configured = secrets.filter((secret) => secret !== STORAGE_DETAIL);
  for (const line of lines) {
    configured.forEach((secret, index) => {
      if (line.includes(secret)) expect.fail(`a log line holds secret #${index}: ${line.slice(0, 300)}`);
    });
  }
  return answers;
}

/** The statuses of `answers`, in order. */
function statusesOf(answers: ReadonlyArray<{ status: number }>): number[] {
  return answers.map((answer) => answer.status);
}

afterEach(() => vi.restoreAllMocks());

describe("with a broken configuration", () => {
  it("answers 503 (and /healthz names the settings) without any secret value or stack trace", async () => {
    const statuses = statusesOf(
      await expectNothingLeaks({ ...env, ...BROKEN } as Env, Object.values(BROKEN)),
    );
    // /healthz answers 200 and the unknown route 404.
    expect(statuses[0]).toBe(200);
    // PUT on the callback route is not a route at all (404); every route reached fails closed with 503.
    expect(statuses).toEqual([200, 503, 503, 503, 503, 404, 503, 503, 503, 503, 503, 503, 503, 404]);
    const health = (await (
      await app.request(`${BASE}/healthz`, {}, { ...env, ...BROKEN } as Env)
    ).json()) as {
      problems: Array<{ setting: string }>;
    };
    expect(health.problems.map((problem) => problem.setting).sort()).toEqual(
      [
        "ADMIN_TOKEN",
        "CALLBACK_PASSWORD_PREVIOUS",
        "DOWNSTREAM_SECRET",
        "DOWNSTREAM_URL",
        "FORWARD_TIMEOUT_MS",
      ].sort(),
    );
  });
});

describe("with a complete configuration", () => {
  it("answers every route without any secret value or stack trace", async () => {
    const secrets = [COMPLETE.CALLBACK_PASSWORD, COMPLETE.ADMIN_TOKEN, COMPLETE.DOWNSTREAM_SECRET.slice(6)];
    const messageId = newMessageId("leak");
    const statuses = statusesOf(await expectNothingLeaks({ ...env, ...COMPLETE } as Env, secrets, messageId));
    await settle(messageId);
    expect(statuses).toEqual([200, 200, 400, 415, 401, 404, 200, 400, 413, 400, 400, 400, 401, 404]);
  });

  it("answers storage failures 5xx with a plain JSON error, never the failure's own text or stack", async () => {
    const failing = {
      ...env,
      ...COMPLETE,
      MESSAGE_TRACKER: failingNamespace(),
      DEAD_LETTERS: failingNamespace(),
    };
    const answers = await expectNothingLeaks(failing as unknown as Env, [STORAGE_DETAIL]);
    // Storing the callback answers 503 (Bandwidth retries); reading the message fails as an internal error.
    expect(statusesOf(answers)).toEqual([
      200, 503, 400, 415, 401, 404, 500, 400, 413, 400, 400, 400, 401, 404,
    ]);
    expect([answers[1]?.body, answers[6]?.body]).toEqual(STORAGE_FAILURE_BODIES);
  });

  it("answers a storage binding that throws synchronously with a plain JSON error", async () => {
    const throwing = {
      ...env,
      ...COMPLETE,
      MESSAGE_TRACKER: {
        getByName: () => {
          throw new TypeError(`${STORAGE_DETAIL} at Object.<anonymous> (/src/message/tracker.ts:1:2)`);
        },
      },
    };
    const answers = await expectNothingLeaks(throwing as unknown as Env, [STORAGE_DETAIL]);
    // The same answers as a binding that rejects: every route that reaches the binding fails, each as its own.
    expect(statusesOf(answers)).toEqual([
      200, 503, 400, 415, 401, 404, 500, 400, 413, 400, 400, 400, 401, 404,
    ]);
    expect([answers[1]?.body, answers[6]?.body]).toEqual(STORAGE_FAILURE_BODIES);
  });
});

/** A Durable Object namespace whose every call fails the way storage does: with detail and a stack. */
function failingNamespace() {
  const fail = () => {
    const error = new Error(`${STORAGE_DETAIL}: SQLITE_FULL at /src/message/tracker.ts:42:7`);
    return Promise.reject(error);
  };
  return {
    getByName: () => ({
      ingest: fail,
      snapshot: fail,
      redeliver: fail,
      list: fail,
      messageIds: fail,
      update: fail,
    }),
  };
}
