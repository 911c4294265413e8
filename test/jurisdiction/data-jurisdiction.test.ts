/**
 * DATA_JURISDICTION=eu (this suite's configuration): every Durable Object the receiver reaches, from a route or
 * from another object, is reached through the `eu` namespace, none directly, across callbacks, forwarding, dead
 * letters, quarantine, destinations, replay and redelivery. An invalid value is a configuration problem.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import { app } from "../../src/index.ts";
import { OBJECT_BINDINGS } from "../../src/jurisdiction.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, postCallback, scriptDownstream } from "../helpers/http.ts";
import { waitFor } from "../helpers/wait.ts";
import { objectAccess } from "./record-namespaces.setup.ts";

/** The forwarding state of the message's first event at the default destination, through the operator API. */
async function forwardingOf(messageId: string): Promise<string | undefined> {
  const response = await admin(`/messages/${messageId}`);
  if (response.status !== 200) return undefined;
  const view = (await response.json()) as {
    events: Array<{ forwarding: Record<string, { state: string }> }>;
  };
  return view.events[0]?.forwarding.default?.state;
}

const touched: string[] = [];

afterAll(async () => {
  objectAccess.recording = false;
  for (const id of touched) {
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) =>
      state.storage.deleteAlarm(),
    );
  }
});

describe("with DATA_JURISDICTION=eu", () => {
  it("scopes every Durable Object namespace of the environment", () => {
    const namespacePrototype = Object.getPrototypeOf(env.MESSAGE_TRACKER);
    const namespaces = Object.entries(env)
      .filter(
        ([, value]) =>
          typeof value === "object" && value !== null && Object.getPrototypeOf(value) === namespacePrototype,
      )
      .map(([name]) => name);
    expect([...OBJECT_BINDINGS].sort()).toEqual(namespaces.sort());
  });

  it("reaches every Durable Object through the eu namespace and none directly", async () => {
    expect(env.DATA_JURISDICTION).toBe("eu");
    const delivered = newMessageId("eu-delivered");
    const dead = newMessageId("eu-dead");
    const held = statusEvent("message-sent", { id: newMessageId("eu-held") });
    Object.assign(held.message, { segmentCount: "many" });
    touched.push(delivered, dead, held.message.id);
    await scriptDownstream(dead, [400]);
    objectAccess.recording = true;

    for (const batch of [
      [statusEvent("message-sending", { id: delivered })],
      [statusEvent("message-sent", { id: dead })],
      [held],
    ]) {
      expect((await postCallback(batch)).status).toBe(200);
    }
    await waitFor(
      async () => ((await forwardingOf(delivered)) === "delivered" ? true : undefined),
      15_000,
      "delivered",
    );
    await waitFor(async () => ((await forwardingOf(dead)) === "dead" ? true : undefined), 15_000, "dead");
    await waitFor(
      async () => {
        const list = (await (await admin("/dead-letters")).json()) as {
          entries?: unknown[];
          deadLetters?: unknown[];
        };
        return JSON.stringify(list).includes(dead) ? true : undefined;
      },
      15_000,
      "the dead letter listed",
    );
    for (const [path, init] of [
      ["/quarantine", {}],
      ["/destinations", {}],
      ["/destinations/default/pause", { method: "POST" }],
      ["/destinations/default/resume", { method: "POST" }],
      [
        `/messages/${dead}/redeliver`,
        { method: "POST", body: "{}", headers: { "content-type": "application/json" } },
      ],
      [
        "/dead-letters/redeliver",
        { method: "POST", body: "{}", headers: { "content-type": "application/json" } },
      ],
      [
        "/quarantine/release",
        { method: "POST", body: "{}", headers: { "content-type": "application/json" } },
      ],
    ] as const) {
      const response = await admin(path, init as RequestInit);
      expect(response.status, path).toBeLessThan(300);
    }
    // A replay: its job object reaches each matching message's object from its own alarm.
    const replay = await admin("/replay", {
      method: "POST",
      body: JSON.stringify({ filter: {}, destination: "default" }),
      headers: { "content-type": "application/json" },
    });
    expect(replay.status).toBe(202);
    const { replayId } = (await replay.json()) as { replayId: string };
    await waitFor(
      async () => {
        const progress = (await (await admin(`/replay/${replayId}`)).json()) as {
          done?: boolean;
          messages?: number;
        };
        return progress.done && (progress.messages ?? 0) > 0 ? true : undefined;
      },
      15_000,
      "the replay to finish",
    );
    objectAccess.recording = false;

    expect(objectAccess.direct).toEqual([]);
    const reached = new Set(objectAccess.scoped.map((access) => access.binding));
    expect([...reached].sort()).toEqual([...OBJECT_BINDINGS].sort());
    expect(new Set(objectAccess.scoped.map((access) => access.jurisdiction))).toEqual(new Set(["eu"]));
  });

  it("refuses an unknown jurisdiction as a configuration problem named at /healthz, never echoing it", async () => {
    const broken = { ...env, DATA_JURISDICTION: "mars" };
    const health = await app.request("/healthz", {}, broken);
    const body = await health.text();
    expect(JSON.parse(body)).toMatchObject({
      configured: false,
      problems: [{ setting: "DATA_JURISDICTION", problem: 'must be "eu", "fedramp" or empty' }],
    });
    expect(body).not.toContain("mars");
    const callback = await app.request(
      "/callbacks/messaging",
      { method: "POST", headers: { "content-type": "application/json" }, body: "[]" },
      broken,
    );
    expect(callback.status).toBe(503);
  });
});
