/**
 * Every accepted event accounted for, at the tracker: an inbound MMS held for its media copies is not aged by
 * the hold (it is forwarded, not killed with zero attempts); a destination filter naming no known event is a
 * configuration problem (503, named at /healthz without its value), not a filter that silently matches
 * nothing; an event past its destination's max age dies as `too old` before any attempt (the outbox's age
 * check); activity that arrives while retention takes a
 * message's entries off the lists keeps the message and lists them again; a drain past its budget still
 * forwards a healthy destination's new event at once while a slow one's attempt hangs; the deliveries noted
 * during a drain are written as it ends, and a note survives the message being read again before that write.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import * as v from "valibot";
import { afterEach, describe, expect, it } from "vitest";
import { type BandwidthEventOutput, BandwidthEventSchema } from "../../src/bandwidth/schema.ts";
import type { AttemptReport } from "../../src/forward/deliver.ts";
import { recordAttempt, TOO_OLD } from "../../src/forward/outbox.ts";
import { app } from "../../src/index.ts";
import type { IngestItem } from "../../src/message/accept.ts";
import { eventIdOf } from "../../src/message/event-id.ts";
import { acceptBatch } from "../../src/objects/message-ingest.ts";
import { loadMessage } from "../../src/objects/message-sql.ts";
import { MessageStore } from "../../src/objects/message-store.ts";
import type { AlarmStep, MessageTracker } from "../../src/objects/message-tracker.ts";
import { type DrainHooks, OutboxDrain } from "../../src/objects/outbox-drain.ts";
import { inboundEvent, newMessageId, statusEvent } from "../helpers/events.ts";
import { admin, basicAuth, forwardsOf, postCallback, scriptDownstream } from "../helpers/http.ts";
import { ageMessage, deletedMessage, settle, storedEvents } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

const HOUR_MS = 3_600_000;
/** Past FORWARD_MAX_AGE_HOURS (24 by default, the destination `default`'s max age). */
const PAST_MAX_AGE_MS = 25 * HOUR_MS;

/** The tracker's insides a test reaches. */
interface Insides {
  store: MessageStore;
  draining: boolean;
  rerun: boolean;
  faultPoint(step: AlarmStep): void;
  work(mode: "alarm" | "inline"): Promise<void>;
}

const used: string[] = [];
afterEach(async () => {
  await settle(...used.splice(0));
});

function messageId(prefix: string): string {
  const id = newMessageId(prefix);
  used.push(id);
  return id;
}

async function item(input: unknown): Promise<IngestItem> {
  const event: BandwidthEventOutput = v.parse(BandwidthEventSchema, input);
  return { valid: true, eventId: await eventIdOf(event), event };
}

/**
 * Stores `input` for the destination `default` as if it had been accepted `ageMs` ago (held for its media
 * copies with `held`), without forwarding it, and makes the message's alarm due now.
 */
async function storeAccepted(id: string, input: unknown, ageMs: number, held = false): Promise<string> {
  const accepted = await item(input);
  await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), async (instance: MessageTracker, state) => {
    const { store } = instance as unknown as Insides;
    acceptBatch(store, [accepted], {
      now: Date.now() - ageMs,
      route: () => ["default"],
      holdsMedia: () => held,
    });
    await state.storage.setAlarm(Date.now());
  });
  return accepted.eventId;
}

/** The message's first event's delivery to `default` once it is no longer pending. */
async function settledDelivery(id: string) {
  return waitFor(
    async () => {
      const delivery = (await storedEvents(id))[0]?.deliveries.default;
      return delivery && delivery.state !== "pending" ? delivery : undefined;
    },
    15_000,
    `the event of ${id} to leave its outbox`,
  );
}

async function deadLettersOf(id: string): Promise<string[]> {
  const page = (await (await admin("/dead-letters?limit=1000")).json()) as {
    items: Array<{ messageId: string; eventId: string }>;
  };
  return page.items.filter((entry) => entry.messageId === id).map((entry) => entry.eventId);
}

async function quarantinedOf(id: string): Promise<string[]> {
  const page = (await (await admin("/quarantine?limit=1000")).json()) as {
    items: Array<{ messageId: string; eventId: string }>;
  };
  return page.items.filter((entry) => entry.messageId === id).map((entry) => entry.eventId);
}

describe("an inbound MMS held for its media copies", () => {
  it("is forwarded when the hold ends, however long it held: the hold does not age it", async () => {
    const id = messageId("held-mms");
    const mms = inboundEvent({ id }) as unknown as { message: Record<string, unknown> };
    mms.message.media = ["https://messaging.bandwidth.com/api/v2/users/9900000/media/a/0/picture.png"];
    // Held for longer than the destination's max age; copies are off in this suite, so the next run ends the
    // hold (as a settled copy round does) and forwards it.
    const eventId = await storeAccepted(id, mms, PAST_MAX_AGE_MS, true);
    const delivery = await settledDelivery(id);
    expect(delivery).toMatchObject({ state: "delivered", attempts: 1, lastError: null });
    expect((await forwardsOf(id)).map((f) => f.headers["webhook-id"])).toEqual([eventId]);
  });
});

describe("the outbox's age check", () => {
  it("kills an event past its destination's max age as too old, before any attempt, and lists it", async () => {
    const id = messageId("too-old");
    const eventId = await storeAccepted(id, statusEvent("message-delivered", { id }), PAST_MAX_AGE_MS);
    const delivery = await settledDelivery(id);
    expect(delivery).toMatchObject({ state: "dead", attempts: 0, lastError: TOO_OLD });
    await waitFor(async () => ((await deadLettersOf(id)).includes(eventId) ? true : undefined));
    expect(await forwardsOf(id)).toEqual([]);
  });
});

describe("retention racing new activity", () => {
  it("keeps the message, forwards the new event and lists its dead and quarantined events again", async () => {
    const id = messageId("expiry-race");
    await scriptDownstream(id, [400]);
    const invalid = statusEvent("message-sent", { id, step: 1 }) as unknown as { message: object };
    const bad = { ...invalid, message: { ...invalid.message, segmentCount: "one" } };
    expect((await postCallback([statusEvent("message-sending", { id }), bad])).status).toBe(200);
    const dead = await settledDelivery(id);
    expect(dead.state).toBe("dead");
    const [deadId] = await waitFor(async () => {
      const listed = await deadLettersOf(id);
      return listed.length === 1 ? listed : undefined;
    });
    const [heldId] = await waitFor(async () => {
      const listed = await quarantinedOf(id);
      return listed.length === 1 ? listed : undefined;
    });
    // A new event arrives right after expiry took the message's entries off the lists.
    const late = await item(statusEvent("message-delivered", { id, step: 2 }));
    let arrived = false;
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (instance: MessageTracker) => {
      const insides = instance as unknown as Insides;
      insides.faultPoint = (step) => {
        if (step !== "expire" || arrived) return;
        arrived = true;
        void instance.ingest([late]);
      };
    });
    await ageMessage(id, 0);
    await waitFor(
      async () =>
        (await forwardsOf(id)).some((f) => f.headers["webhook-id"] === late.eventId) ? true : undefined,
      15_000,
      "the late event to be forwarded",
    );
    expect(arrived).toBe(true);
    expect(await deletedMessage(id)).toBe(false);
    await waitFor(
      async () => ((await deadLettersOf(id)).includes(deadId ?? "") ? true : undefined),
      15_000,
      "the dead event to be listed again",
    );
    await waitFor(
      async () => ((await quarantinedOf(id)).includes(heldId ?? "") ? true : undefined),
      15_000,
      "the quarantined event to be listed again",
    );
  });
});

describe("delivery notes", () => {
  it("are written as the drain ends, before any alarm", async () => {
    const id = messageId("notes-written");
    const accepted = await item(statusEvent("message-delivered", { id }));
    const stored = await runInDurableObject(
      env.MESSAGE_TRACKER.getByName(id),
      async (instance: MessageTracker, state) => {
        const insides = instance as unknown as Insides;
        // Stored without starting a run, then one inline run, as a callback starts it.
        insides.draining = true;
        await instance.ingest([accepted]);
        insides.draining = false;
        insides.rerun = false;
        await insides.work("inline");
        // No await since the run ended: no alarm could have written anything meanwhile.
        return loadMessage(state.storage).events[0]?.deliveries.default;
      },
    );
    expect(stored).toMatchObject({ state: "delivered", attempts: 1 });
    expect((await forwardsOf(id)).map((f) => f.headers["webhook-id"])).toEqual([accepted.eventId]);
  });

  it("are applied again whenever the message is read again before they are written", async () => {
    const id = messageId("notes-reapplied");
    const accepted = await item(statusEvent("message-delivered", { id }));
    const policy = { baseDelayMs: 50, maxDelayMs: 200, maxAgeMs: HOUR_MS };
    const states = await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (_instance, state) => {
      // A store of its own: nothing else runs on this message.
      const store = new MessageStore(state.storage);
      acceptBatch(store, [accepted], { now: Date.now(), route: () => ["default"] });
      const now = Date.now();
      store.noteDelivered(1, "default", now, (delivery) =>
        recordAttempt(delivery, { kind: "response", status: 200 }, policy, now),
      );
      const seen: string[] = [];
      // Read again twice (as after a failed write), then written.
      for (let read = 0; read < 2; read++) {
        store.forget();
        store.open();
        seen.push(store.message().events[0]?.deliveries.default?.state ?? "none");
      }
      store.flush();
      seen.push(loadMessage(state.storage).events[0]?.deliveries.default?.state ?? "none");
      return seen;
    });
    expect(states).toEqual(["delivered", "delivered", "delivered"]);
  });
});

describe("a drain past its budget", () => {
  it("forwards a new event to a healthy destination at once while a slow one's attempt still hangs", async () => {
    // Not settled after the test: nothing arms this message's alarm, and its deliveries stay in memory.
    const id = newMessageId("drain-budget");
    const first = await item(statusEvent("message-sending", { id }));
    const second = await item(statusEvent("message-sent", { id, step: 1 }));
    const policy = { baseDelayMs: 50, maxDelayMs: 200, maxAgeMs: HOUR_MS };
    const ok: AttemptReport = { outcome: { kind: "response", status: 200 }, latencyMs: 1 };
    const sent = { slow: [] as string[], fast: [] as string[] };
    let release: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hooks: DrainHooks = {
      faultPoint: () => undefined,
      onDead: async () => undefined,
      onHealth: async () => undefined,
      isPaused: async () => false,
      onPaused: () => undefined,
      extraData: async () => ({}),
      permit: async () => ({ ok: true }),
    };
    const targets = [
      {
        name: "slow",
        retry: policy,
        send: async (eventId: string) => {
          sent.slow.push(eventId);
          await hanging;
          return ok;
        },
      },
      {
        name: "fast",
        retry: policy,
        send: async (eventId: string) => {
          sent.fast.push(eventId);
          return ok;
        },
      },
    ];
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), async (_instance, state) => {
      const store = new MessageStore(state.storage);
      const route = () => ["slow", "fast"];
      acceptBatch(store, [first], { now: Date.now(), route });
      const budgetMs = 100;
      const started = Date.now();
      const drain = new OutboxDrain(store, targets, hooks, new Map(), budgetMs);
      const run = drain.run(new Set(["slow", "fast"]));
      try {
        await waitFor(
          () => sent.fast.length === 1 && sent.slow.length === 1 && Date.now() > started + budgetMs,
          5_000,
          "both first attempts, and the budget spent",
        );
        // A callback accepted now: the running drain is kicked, as the tracker's ingest does.
        acceptBatch(store, [second], { now: Date.now(), route });
        drain.kick();
        await waitFor(() => sent.fast.length === 2, 2_000, "the healthy destination's second event");
        expect(sent.fast).toEqual([first.eventId, second.eventId]);
        expect(sent.slow).toEqual([first.eventId]);
      } finally {
        release();
        await run;
      }
      // The slow loop's budget is spent: its second event waits for the next run, pending.
      expect(sent.slow).toEqual([first.eventId]);
      expect(store.message().events.map((record) => record.deliveries.slow?.state)).toEqual([
        "delivered",
        "pending",
      ]);
    });
  });
});

describe("a destination filter naming no known event", () => {
  it("makes callbacks answer 503 and /healthz name DESTINATIONS and the place, never the value", async () => {
    const bindings = {
      ...env,
      DESTINATIONS: JSON.stringify([
        {
          name: "crm",
          url: "https://crm.example.com/hooks",
          filter: { events: ["message-delivered", "delivred-x"] },
        },
      ]),
      DESTINATION_SECRET_CRM: "whsec_Y3JtLXNlY3JldC1mb3ItdGhlLXRlc3Rz",
    } as Env;
    const id = newMessageId("bad-filter");
    const response = await app.request(
      "https://receiver.test/callbacks/messaging",
      {
        method: "POST",
        headers: { authorization: basicAuth(), "content-type": "application/json" },
        body: JSON.stringify([statusEvent("message-delivered", { id })]),
      },
      bindings,
    );
    expect(response.status).toBe(503);
    expect(await response.text()).not.toContain("delivred-x");
    expect(await env.MESSAGE_TRACKER.getByName(id).snapshot()).toBeNull();
    const health = await app.request("https://receiver.test/healthz", {}, bindings);
    const text = await health.text();
    expect(text).not.toContain("delivred-x");
    const body = JSON.parse(text.split("\n")[0] ?? "") as {
      problems: Array<{ setting: string; problem: string }>;
    };
    expect(body.problems).toEqual([
      {
        setting: "DESTINATIONS",
        problem: expect.stringMatching(/^DESTINATIONS\[0\]\.filter\.events\[1\]: /),
      },
    ]);
  });
});
