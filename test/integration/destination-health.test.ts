/**
 * DestinationHealth through its RPC methods and its alarm: a batch of failures makes a destination failing,
 * logs one line (no URL, no secret) and delivers the operator event to the HTTP operator destinations (signed
 * with their own secret, retried) and the queue ones; a success recovers it; removed and paused destinations;
 * an alarm that fails still re-arms; status() re-arms a lost alarm; the pause cache.
 *
 * The object reads the configuration from its env: each test gives its object a configuration of its own by
 * replacing that env (the workerd tests share one wrangler.toml), as alarm-faults.test.ts patches its seams.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { destinationSecretSetting } from "../../src/forward/destinations.ts";
import { signWebhook } from "../../src/forward/sign.ts";
import {
  createHealthSchema,
  insertDelivery,
  loadDeliveries,
  loadHealth,
  saveHealth,
} from "../../src/objects/destination-health-sql.ts";
import { isKnownFailing, isPaused, STATUS_CACHE_MS } from "../../src/objects/destination-status-cache.ts";
import { forwardsOf, scriptDownstream } from "../helpers/http.ts";
import { waitFor } from "../helpers/wait.ts";

const OPS_SECRET = "whsec_b3BlcmF0b3Itc2VjcmV0LWZvci10ZXN0cw==";
const T0 = Date.now();

let counter = 0;
/** A destination name of its own per test (and so a health object of its own). */
function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

/** A Queues producer binding that records what it is sent. */
function recordingQueue(): { queue: Queue; bodies: unknown[] } {
  const bodies: unknown[] = [];
  const queue = {
    async send(body: unknown) {
      bodies.push(body);
    },
    async sendBatch() {},
  } as unknown as Queue;
  return { queue, bodies };
}

interface Setup {
  name: string;
  ops: string;
  queueName: string;
  bodies: unknown[];
}

/**
 * Gives the health object of a new destination a configuration with that destination, an HTTP operator
 * destination and a queue operator destination (or `destinations` instead).
 */
async function setUp(destinations?: (setup: Omit<Setup, "bodies">) => unknown[]): Promise<Setup> {
  const name = uniqueName("crm");
  const ops = uniqueName("ops");
  const queueName = uniqueName("q");
  const { queue, bodies } = recordingQueue();
  const list = destinations?.({ name, ops, queueName }) ?? [
    { name, url: "https://crm.example.com/hooks" },
    { name: ops, url: "http://127.0.0.1:9/ops", filter: { events: [], operator: true } },
    { name: queueName, queue: "OPS_QUEUE", filter: { operator: true } },
  ];
  await useConfiguration(name, {
    DESTINATIONS: JSON.stringify(list),
    [destinationSecretSetting(name)]: OPS_SECRET,
    [destinationSecretSetting(ops)]: OPS_SECRET,
    OPS_QUEUE: queue,
  });
  used.push(name);
  return { name, ops, queueName, bodies };
}

/** Replaces the env of the health object of `name` with the test env plus `settings`. */
async function useConfiguration(name: string, settings: Record<string, unknown>): Promise<void> {
  await runInDurableObject(env.DESTINATION_HEALTH.getByName(name), (instance) => {
    (instance as unknown as { env: Env }).env = { ...env, ...settings } as Env;
  });
}

const failures = (count: number, spanSeconds: number, error = "HTTP 503") =>
  Array.from({ length: count }, (_, i) => ({
    ok: false,
    at: T0 + Math.round((i * spanSeconds * 1000) / Math.max(1, count - 1)),
    error,
  }));

function captureConsole(): string[] {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) =>
      lines.push(args.map(String).join(" ")),
    );
  }
  return lines;
}

/** Every operator event entry of the health object of `name`. */
function deliveriesOf(name: string) {
  return runInDurableObject(env.DESTINATION_HEALTH.getByName(name), (_instance, state) =>
    loadDeliveries(state.storage.sql),
  );
}

async function settled(name: string) {
  return waitFor(
    async () => {
      const entries = await deliveriesOf(name);
      return entries.length > 0 && entries.every((e) => e.state !== "pending") ? entries : undefined;
    },
    10_000,
    `the operator events of ${name} to be delivered`,
  );
}

const used: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const name of used.splice(0)) {
    await runInDurableObject(env.DESTINATION_HEALTH.getByName(name), (_instance, state) =>
      state.storage.deleteAlarm(),
    );
  }
});

describe("DestinationHealth", () => {
  it("is healthy and not paused before any report", async () => {
    const name = uniqueName("fresh");
    expect(await env.DESTINATION_HEALTH.getByName(name).status()).toEqual({
      state: "healthy",
      paused: false,
    });
  });

  it("turns failing on a batch of 5 failures over 60 s: one log line, the event to every operator destination", async () => {
    const { name, ops, queueName, bodies } = await setUp();
    const lines = captureConsole();
    const status = await env.DESTINATION_HEALTH.getByName(name).report(name, failures(5, 60));
    expect(status).toEqual({
      state: "failing",
      since: new Date(T0).toISOString(),
      consecutiveFailures: 5,
      lastError: "HTTP 503",
      paused: false,
    });
    const entries = await settled(name);
    expect(entries.map((e) => [e.destination, e.state, e.attempts])).toEqual([
      [ops, "delivered", 1],
      [queueName, "delivered", 1],
    ]);
    const changes = lines.map((line) => JSON.parse(line)).filter((l) => l.event === "destination_failing");
    expect(changes).toEqual([
      expect.objectContaining({
        level: "warn",
        destination: name,
        consecutiveFailures: 5,
        lastError: "HTTP 503",
        operatorDestinations: 2,
      }),
    ]);
    for (const line of lines) {
      expect(line).not.toContain("whsec_");
      expect(line).not.toContain("127.0.0.1");
      expect(line).not.toContain("crm.example.com");
    }
    // The HTTP operator destination: the CloudEvent, signed with its own secret.
    const [forward] = await forwardsOf(name);
    const event = JSON.parse(forward?.body ?? "{}");
    expect(event).toMatchObject({
      specversion: "1.0",
      type: "com.bandwidth-edge-receiver.destination.failing",
      source: `/bandwidth-edge-receiver/destinations/${name}`,
      subject: name,
      data: {
        destination: name,
        state: "failing",
        consecutiveFailures: 5,
        since: new Date(T0).toISOString(),
      },
    });
    const headers = forward?.headers ?? {};
    expect(headers["content-type"]).toBe("application/cloudevents+json");
    expect(headers["webhook-id"]).toBe(event.id);
    expect(headers["webhook-signature"]).toBe(
      await signWebhook([OPS_SECRET], event.id, Number(headers["webhook-timestamp"]), forward?.body ?? ""),
    );
    // The queue operator destination: the same CloudEvent as a JSON body.
    expect(bodies).toEqual([event]);
  });

  it("recovers on a success, sending .recovered after .failing, in order", async () => {
    const { name, ops } = await setUp();
    const stub = env.DESTINATION_HEALTH.getByName(name);
    await stub.report(name, failures(5, 60));
    await settled(name);
    const status = await stub.report(name, [{ ok: true, at: T0 + 90_000 }]);
    expect(status).toEqual({ state: "healthy", since: new Date(T0 + 90_000).toISOString(), paused: false });
    await waitFor(
      async () => ((await forwardsOf(name)).length === 2 ? true : undefined),
      10_000,
      "two events",
    );
    const types = (await forwardsOf(name)).map((f) => JSON.parse(f.body).type);
    expect(types).toEqual([
      "com.bandwidth-edge-receiver.destination.failing",
      "com.bandwidth-edge-receiver.destination.recovered",
    ]);
    expect((await settled(name)).filter((e) => e.destination === ops).map((e) => e.state)).toEqual([
      "delivered",
      "delivered",
    ]);
  });

  it("does not change on 5 failures within 60 s, and sends nothing", async () => {
    const { name } = await setUp();
    const status = await env.DESTINATION_HEALTH.getByName(name).report(name, failures(5, 59));
    expect(status).toMatchObject({ state: "healthy", consecutiveFailures: 5 });
    expect(await deliveriesOf(name)).toEqual([]);
  });

  it("retries an operator event its destination refused with a 5xx", async () => {
    const { name, ops } = await setUp();
    await scriptDownstream(name, [503, 502]);
    await env.DESTINATION_HEALTH.getByName(name).report(name, failures(6, 120));
    const entries = await settled(name);
    expect(entries.find((e) => e.destination === ops)).toMatchObject({ state: "delivered", attempts: 3 });
    const ids = (await forwardsOf(name)).map((f) => f.headers["webhook-id"]);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
  });

  it("counts a retried report's event once (same id, same destination)", async () => {
    const { name } = await setUp((s) => [
      { name: s.name, url: "https://crm.example.com/hooks" },
      { name: s.queueName, queue: "OPS_QUEUE", filter: { operator: true } },
    ]);
    const stub = env.DESTINATION_HEALTH.getByName(name);
    await stub.report(name, failures(5, 60));
    await settled(name);
    // The same change computed again from a fresh state (as after a lost answer): the entry already exists.
    await runInDurableObject(stub, (_instance, state) => {
      const { state: health } = loadHealth(state.storage.sql);
      saveHealth(state.storage.sql, name, { ...health, state: "healthy", consecutiveFailures: 0 });
    });
    await stub.report(name, failures(5, 60));
    expect((await deliveriesOf(name)).map((e) => e.state)).toEqual(["delivered"]);
  });

  it("makes an operator event dead with `destination removed` when its destination is gone", async () => {
    const { name } = await setUp();
    const stub = env.DESTINATION_HEALTH.getByName(name);
    await runInDurableObject(stub, (_instance, state) => {
      createHealthSchema(state.storage.sql);
      insertDelivery(state.storage.sql, {
        eventId: `failing:${name}:1`,
        destination: "gone",
        seq: 1,
        body: "{}",
        state: "pending",
        attempts: 0,
        createdAt: Date.now(),
        dueAt: Date.now(),
      });
      // Far off, so that only runDurableObjectAlarm runs it.
      return state.storage.setAlarm(Date.now() + 3_600_000);
    });
    await runDurableObjectAlarm(stub);
    expect(await deliveriesOf(name)).toEqual([
      expect.objectContaining({
        destination: "gone",
        state: "dead",
        lastError: "destination removed",
        attempts: 0,
      }),
    ]);
  });

  it("holds an operator event for a paused destination, without an attempt", async () => {
    const { name, ops } = await setUp((s) => [
      { name: s.name, url: "https://crm.example.com/hooks" },
      { name: s.ops, url: "http://127.0.0.1:9/ops", filter: { events: [], operator: true } },
    ]);
    used.push(ops);
    expect(await env.DESTINATION_HEALTH.getByName(ops).pause()).toMatchObject({ paused: true });
    await env.DESTINATION_HEALTH.getByName(name).report(name, failures(5, 60));
    const [entry] = await waitFor(
      async () => {
        const entries = await deliveriesOf(name);
        return entries[0] && entries[0].dueAt > Date.now() + 10_000 ? entries : undefined;
      },
      10_000,
      "the entry postponed",
    );
    expect(entry).toMatchObject({ state: "pending", attempts: 0 });
    expect(await forwardsOf(name)).toEqual([]);
    expect(await env.DESTINATION_HEALTH.getByName(ops).resume()).toMatchObject({ paused: false });
  });

  it("leaves the next alarm set when a run fails", async () => {
    const { name } = await setUp();
    const stub = env.DESTINATION_HEALTH.getByName(name);
    const broken = {
      ...env,
      get DESTINATIONS(): string {
        throw new Error("injected configuration failure");
      },
    };
    await runInDurableObject(stub, (instance, state) => {
      (instance as unknown as { env: unknown }).env = broken;
      insertDelivery(state.storage.sql, {
        eventId: `failing:${name}:1`,
        destination: "somewhere",
        seq: 1,
        body: "{}",
        state: "pending",
        attempts: 0,
        createdAt: Date.now(),
        dueAt: Date.now(),
      });
      return state.storage.setAlarm(Date.now() + 3_600_000);
    });
    const lines = captureConsole();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(lines.map((line) => JSON.parse(line).event)).toContain("destination_health_alarm_failed");
    const alarm = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(await deliveriesOf(name)).toEqual([expect.objectContaining({ state: "pending" })]);
  });

  it("re-arms a lost alarm when it is asked for its status", async () => {
    const { name } = await setUp();
    const stub = env.DESTINATION_HEALTH.getByName(name);
    await runInDurableObject(stub, (_instance, state) => {
      insertDelivery(state.storage.sql, {
        eventId: `failing:${name}:1`,
        destination: "later",
        seq: 1,
        body: "{}",
        state: "pending",
        attempts: 0,
        createdAt: Date.now(),
        dueAt: Date.now() + 3_600_000,
      });
    });
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBeNull();
    await stub.status();
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it("pauses and resumes, keeping its health", async () => {
    const { name } = await setUp();
    const stub = env.DESTINATION_HEALTH.getByName(name);
    await stub.report(name, failures(2, 10));
    const paused = await stub.pause();
    expect(paused).toMatchObject({ state: "healthy", consecutiveFailures: 2, paused: true });
    expect(paused.pausedAt).toEqual(expect.any(String));
    expect(await stub.status()).toEqual(paused);
    expect(await stub.resume()).toEqual({
      state: "healthy",
      consecutiveFailures: 2,
      lastError: "HTTP 503",
      paused: false,
    });
  });
});

describe("isPaused and isKnownFailing", () => {
  it("answers from the isolate's cache for STATUS_CACHE_MS, then asks again", async () => {
    const name = uniqueName("cache");
    const stub = env.DESTINATION_HEALTH.getByName(name);
    const now = Date.now();
    expect(await isPaused(env, name, now)).toBe(false);
    // Paused behind the cache's back (another isolate's pause).
    await runInDurableObject(stub, (_instance, state) => {
      saveHealth(state.storage.sql, name, { ...loadHealth(state.storage.sql).state, paused: true });
    });
    expect(await isPaused(env, name, now + STATUS_CACHE_MS - 1)).toBe(false);
    expect(await isPaused(env, name, now + STATUS_CACHE_MS)).toBe(true);
  });

  it("know a failing destination from the status a report answered, in the same isolate at once", async () => {
    const name = uniqueName("failing");
    expect(await isKnownFailing(env, name)).toBe(false);
    await env.DESTINATION_HEALTH.getByName(name).report(name, failures(5, 60));
    expect(await isKnownFailing(env, name)).toBe(true);
    await env.DESTINATION_HEALTH.getByName(name).report(name, [{ ok: true, at: T0 + 120_000 }]);
    expect(await isKnownFailing(env, name)).toBe(false);
  });

  it("sees a pause made in its own isolate at once", async () => {
    const name = uniqueName("local");
    expect(await isPaused(env, name)).toBe(false);
    await env.DESTINATION_HEALTH.getByName(name).pause();
    expect(await isPaused(env, name)).toBe(true);
    await env.DESTINATION_HEALTH.getByName(name).resume();
    expect(await isPaused(env, name)).toBe(false);
  });
});
