/**
 * GET /destinations and POST /destinations/:name/pause and /resume: each destination with its kind, filter,
 * the URL's host only (never a path, query or secret) or the queue binding, and its health (healthy, failing,
 * paused); 202 for a pause or resume, 404 for an unknown name, 401 without the bearer token.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { destinationSecretSetting } from "../../src/forward/destinations.ts";
import { app } from "../../src/index.ts";
import { TEST_ADMIN_TOKEN, TEST_SECRET } from "../helpers/bindings.ts";
import { admin } from "../helpers/http.ts";

const BEARER = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

let counter = 0;
function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/** A Worker env with three destinations of fresh names, and the names. */
function threeDestinations() {
  const names = { crm: uniqueName("crm"), inbox: uniqueName("inbox"), warehouse: uniqueName("wh") };
  const bindings = {
    ...env,
    DESTINATIONS: [
      {
        name: names.crm,
        url: "https://crm.example.com/hooks/bandwidth?token=query-secret-value",
        filter: { events: ["delivered", "failed"], direction: "outbound" },
        timeoutMs: 5000,
      },
      { name: names.inbox, url: "https://chat.example.com:8443/sms", filter: { direction: "inbound" } },
      { name: names.warehouse, queue: "EVENTS_QUEUE", maxAgeHours: 48, filter: { operator: true } },
    ],
    [destinationSecretSetting(names.crm)]: TEST_SECRET,
    [destinationSecretSetting(names.inbox)]: TEST_SECRET,
    EVENTS_QUEUE: { send: async () => {}, sendBatch: async () => {} },
  } as unknown as Env;
  used.push(...Object.values(names));
  return { names, bindings };
}

function request(bindings: Env, path: string, init: RequestInit = {}): Promise<Response> {
  return Promise.resolve(app.request(path, { ...init, headers: { ...BEARER, ...init.headers } }, bindings));
}

const used: string[] = [];
afterEach(async () => {
  // Paused destinations are resumed, so that no later test (or tracker) finds them paused.
  for (const name of used.splice(0)) await env.DESTINATION_HEALTH.getByName(name).resume();
});

describe("GET /destinations", () => {
  it("lists DOWNSTREAM_URL as the destination `default` without DESTINATIONS", async () => {
    const response = await admin("/destinations");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      destinations: [
        {
          name: "default",
          kind: "http",
          host: "127.0.0.1:9",
          timeoutMs: 10_000,
          maxAgeHours: 24,
          health: { state: "healthy" },
        },
      ],
    });
  });

  it("shows each destination's kind, filter, host or queue and health, never a path, query or secret", async () => {
    const { names, bindings } = threeDestinations();
    const failures = Array.from({ length: 5 }, (_, i) => ({
      ok: false,
      at: 1_000 + i * 15_000,
      error: "HTTP 503",
    }));
    await env.DESTINATION_HEALTH.getByName(names.crm).report(names.crm, failures);
    expect((await request(bindings, `/destinations/${names.inbox}/pause`, { method: "POST" })).status).toBe(
      202,
    );
    const response = await request(bindings, "/destinations");
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const hidden of ["query-secret-value", "/hooks", "/sms", "whsec_", TEST_SECRET])
      expect(text).not.toContain(hidden);
    expect(JSON.parse(text)).toEqual({
      destinations: [
        {
          name: names.crm,
          kind: "http",
          host: "crm.example.com",
          filter: { events: ["delivered", "failed"], direction: "outbound" },
          timeoutMs: 5000,
          maxAgeHours: 24,
          health: {
            state: "failing",
            since: new Date(1_000).toISOString(),
            consecutiveFailures: 5,
            lastError: "HTTP 503",
          },
        },
        {
          name: names.inbox,
          kind: "http",
          host: "chat.example.com:8443",
          filter: { direction: "inbound" },
          timeoutMs: 10_000,
          maxAgeHours: 24,
          health: { state: "paused", since: expect.any(String) },
        },
        {
          name: names.warehouse,
          kind: "queue",
          queue: "EVENTS_QUEUE",
          filter: { operator: true },
          timeoutMs: 10_000,
          maxAgeHours: 48,
          health: { state: "healthy" },
        },
      ],
    });
  });

  it("needs the bearer token", async () => {
    const response = await app.request("/destinations", {}, env);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("answers 503 while DESTINATIONS is invalid", async () => {
    const bindings = { ...env, DESTINATIONS: "[{}]" } as Env;
    expect((await request(bindings, "/destinations")).status).toBe(503);
  });
});

describe("POST /destinations/:name/pause and /resume", () => {
  it("pause and resume a configured destination with 202", async () => {
    const { names, bindings } = threeDestinations();
    const paused = await request(bindings, `/destinations/${names.warehouse}/pause`, { method: "POST" });
    expect(paused.status).toBe(202);
    expect(await paused.json()).toEqual({
      destination: names.warehouse,
      health: { state: "paused", since: expect.any(String) },
    });
    expect(await env.DESTINATION_HEALTH.getByName(names.warehouse).status()).toMatchObject({ paused: true });
    const resumed = await request(bindings, `/destinations/${names.warehouse}/resume`, { method: "POST" });
    expect(resumed.status).toBe(202);
    expect(await resumed.json()).toEqual({ destination: names.warehouse, health: { state: "healthy" } });
    expect(await env.DESTINATION_HEALTH.getByName(names.warehouse).status()).toMatchObject({ paused: false });
  });

  it("answer 404 for a name that is not configured, and touch no health object", async () => {
    const { bindings } = threeDestinations();
    const unknown = uniqueName("nowhere");
    for (const action of ["pause", "resume"]) {
      const response = await request(bindings, `/destinations/${unknown}/${action}`, { method: "POST" });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ error: "no destination of that name is configured" });
    }
    expect(await env.DESTINATION_HEALTH.getByName(unknown).status()).toEqual({
      state: "healthy",
      paused: false,
    });
  });

  it("need the bearer token", async () => {
    const { names, bindings } = threeDestinations();
    const response = await app.request(`/destinations/${names.crm}/pause`, { method: "POST" }, bindings);
    expect(response.status).toBe(401);
    expect(await env.DESTINATION_HEALTH.getByName(names.crm).status()).toMatchObject({ paused: false });
  });
});
