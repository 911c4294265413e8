/**
 * The index over several D1 shards (INDEX_SHARDS): the same data answers the same searches, statistics and
 * replay counts over one shard and over two; a shard added to a running index leaves old messages where they
 * are (their trackers remember their shard) while new ones spread over both, and reads find all of them once.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { searchMessages } from "../../src/index-db/search.ts";
import { writeMessage } from "../../src/index-db/write.ts";
import { chooseShard } from "../../src/message/index-placement.ts";
import type { MessageTracker } from "../../src/objects/message-tracker.ts";
import { TEST_ADMIN_TOKEN } from "../helpers/bindings.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { basicAuth } from "../helpers/http.ts";
import { inboundEvents, outboundEvents, rowsOf } from "../helpers/index-messages.ts";
import { settle } from "../helpers/settle.ts";
import { waitFor } from "../helpers/wait.ts";

const TWO = ["INDEX_SHARD_2", "INDEX_SHARD_3"];
const CONTEXT = {
  waitUntil: () => {},
  passThroughOnException: () => {},
  props: {},
} as unknown as ExecutionContext;

/** The Worker's env with INDEX_SHARDS set to `shards`. */
function withShards(shards: readonly string[]): Env {
  return { ...env, INDEX_SHARDS: shards.join(",") };
}

/** A request to the Worker as configured by `workerEnv`. */
async function call(workerEnv: Env, path: string, init: RequestInit = {}): Promise<Response> {
  const request = new Request(`https://receiver.test${path}`, {
    ...init,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(init.headers ?? {}) },
  });
  return worker.fetch(request, workerEnv, CONTEXT);
}

async function json<T>(workerEnv: Env, path: string, init?: RequestInit): Promise<T> {
  const response = await call(workerEnv, path, init);
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return response.json() as Promise<T>;
}

interface Page {
  messages: Array<{ id: string }>;
  nextCursor: string | null;
}

/** Every page of a search, followed through its cursors: the pages' ids. */
async function allPages(workerEnv: Env, query: Record<string, string>): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
    const page: Page = await json(workerEnv, `/messages?${params}`);
    pages.push(page.messages.map((m) => m.id));
    cursor = page.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

/** Full summaries of every page, for comparing whole answers. */
async function summaries(workerEnv: Env, query: Record<string, string>): Promise<unknown[]> {
  const all: unknown[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, ...(cursor ? { cursor } : {}) });
    const page: Page = await json(workerEnv, `/messages?${params}`);
    all.push(...page.messages);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

describe("the index over shards", () => {
  it("answers searches, statistics and replay counts the same over one shard and over two", async () => {
    const tag = crypto.randomUUID();
    const app = `app-${tag}`;
    const at = (minute: number, second = 0) =>
      new Date(Date.UTC(2026, 4, 3, 9, minute, second)).toISOString();
    const messages = Array.from({ length: 14 }, (_, i) => {
      const fields = { id: `${tag}-${String(i).padStart(2, "0")}`, applicationId: app, tag: `t-${i % 3}` };
      if (i % 5 === 4) return inboundEvents({ ...fields, time: at(i) });
      // Some pairs share their time, so that the order falls back on the id across shards.
      return outboundEvents(
        { ...fields, time: at(Math.floor(i / 2) * 2) },
        {
          [`+1555300${i}`]:
            i % 3 === 0
              ? { status: "failed", errorCode: i % 2 === 0 ? 4720 : 9902, carrier: "Verizon" }
              : { status: "delivered", carrier: i % 2 === 0 ? "T-Mobile" : "AT&T", afterMs: 1_000 * (i + 1) },
          ...(i % 4 === 1 ? { "+15553999": { status: "delivered" as const, afterMs: 700 * i } } : {}),
        },
      );
    });
    const shardOf = new Map<string, string>();
    for (const events of messages) {
      const rows = rowsOf(events);
      const shard = chooseShard(rows.summary.id, TWO);
      shardOf.set(rows.summary.id, shard);
      await writeMessage(env.MESSAGE_INDEX, rows);
      await writeMessage(shard === "INDEX_SHARD_2" ? env.INDEX_SHARD_2 : env.INDEX_SHARD_3, rows);
    }
    // Both shards hold some of the messages, else this compares nothing.
    expect(new Set(shardOf.values())).toEqual(new Set(TWO));

    const one = withShards(["MESSAGE_INDEX"]);
    const two = withShards(TWO);
    const searches: Record<string, string>[] = [
      { applicationId: app, limit: "3" },
      { applicationId: app, limit: "500" },
      { applicationId: app, direction: "outbound", limit: "2" },
      { applicationId: app, status: "delivered", limit: "4" },
      { applicationId: app, errorCode: "4720" },
      { applicationId: app, to: "+15553999", limit: "1" },
      { applicationId: app, tag: "t-1", limit: "2" },
      { applicationId: app, since: at(4), until: at(10), limit: "2" },
    ];
    for (const query of searches) {
      const label = JSON.stringify(query);
      expect(await allPages(two, query), label).toEqual(await allPages(one, query));
      expect(await summaries(two, query), label).toEqual(await summaries(one, query));
    }
    const range = { since: at(0), until: at(59), applicationId: app };
    for (const by of [undefined, "hour", "day", "errorCode", "carrier", "applicationId"]) {
      const query = new URLSearchParams({ ...range, ...(by ? { by } : {}) });
      const stats = await json<{ outbound: { recipients: number } }>(one, `/stats?${query}`);
      expect(stats.outbound.recipients).toBeGreaterThan(10);
      expect(await json(two, `/stats?${query}`), by ?? "no grouping").toEqual(stats);
    }
    const dryRun = {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ filter: { applicationId: app }, destination: "default", dryRun: true }),
    };
    const counts = await json<{ messages: number }>(one, "/replay", dryRun);
    expect(counts.messages).toBe(14);
    expect(await json(two, "/replay", dryRun)).toEqual(counts);
  });

  it("finds old and new messages after a shard is added to a running index", async () => {
    const tag = crypto.randomUUID();
    const before = ["INDEX_SHARD_2"];
    const after = ["INDEX_SHARD_2", "INDEX_SHARD_3"];
    // Ids that the larger list would put in the new shard: the old ones must stay where they were written.
    const ids: string[] = [];
    for (let i = 0; ids.length < 6; i++) {
      const id = `${tag}-${i}`;
      if (chooseShard(id, after) === "INDEX_SHARD_3") ids.push(id);
    }
    const at = (minute: number) => new Date(Date.UTC(2026, 4, 4, 9, minute)).toISOString();
    const message = (i: number, status: "sending" | "delivered") =>
      rowsOf(outboundEvents({ id: ids[i] ?? "", time: at(i), tag }, { "+15553000": { status } }));
    // Written while the index had one shard: each tracker remembers INDEX_SHARD_2.
    for (const i of [0, 1, 2]) await writeMessage(env.INDEX_SHARD_2, message(i, "sending"));
    expect(before.map((name) => chooseShard(ids[0] ?? "", [name]))).toEqual(before);
    // After the shard is added: new messages go where the hash over both puts them, old ones are updated in place.
    for (const i of [3, 4, 5]) await writeMessage(env.INDEX_SHARD_3, message(i, "sending"));
    await writeMessage(env.INDEX_SHARD_2, message(0, "delivered"));

    const found = await summaries(withShards(after), { tag, limit: "2" });
    expect(found.map((m) => (m as { id: string }).id)).toEqual([...ids].reverse());
    expect(found.map((m) => (m as { status: string }).status)).toEqual([
      "sending",
      "sending",
      "sending",
      "sending",
      "sending",
      "delivered",
    ]);
    const stats = await json<{ outbound: { recipients: number } }>(
      withShards(after),
      `/stats?${new URLSearchParams({ since: at(0), until: at(30) })}`,
    );
    expect(stats.outbound.recipients).toBeGreaterThanOrEqual(6);
  });
});

describe("INDEX_SHARDS", () => {
  it("naming a binding that is not a D1 database is a configuration problem: 503, named in /healthz", async () => {
    const broken = withShards(["MESSAGE_INDEX", "MESSAGE_TRACKER"]);
    expect((await call(broken, "/messages")).status).toBe(503);
    expect((await call(broken, "/stats")).status).toBe(503);
    const health = await (await call(broken, "/healthz")).json();
    expect(health).toMatchObject({
      configured: false,
      problems: [expect.objectContaining({ setting: "INDEX_SHARDS" })],
    });
    expect(JSON.stringify(health)).not.toContain("MESSAGE_TRACKER");
    const fine = await (await call(withShards(["MESSAGE_INDEX", "INDEX_SHARD_2"]), "/healthz")).json();
    expect(fine).toMatchObject({ configured: true, problems: [] });
  });
});

describe("a message's tracker", () => {
  const used: string[] = [];
  afterAll(async () => {
    await settle(...used);
  });

  /** Posts one callback for `id` through the Worker. */
  async function post(id: string, type: string, tag: string): Promise<void> {
    const event = statusEvent(type, { id }) as unknown as { message: Record<string, unknown> };
    event.message.tag = tag;
    event.message.time = new Date(Date.now() - 60_000).toISOString();
    const response = await worker.fetch(
      new Request("https://receiver.test/callbacks/messaging", {
        method: "POST",
        headers: { authorization: basicAuth(), "content-type": "application/json" },
        body: JSON.stringify([event]),
      }),
      env,
      CONTEXT,
    );
    expect(response.status).toBe(200);
  }

  /** Gives the tracker of `id` the configuration `trackerEnv` from now on (its env is fixed for a test run). */
  async function configure(id: string, trackerEnv: Env): Promise<void> {
    await runInDurableObject(env.MESSAGE_TRACKER.getByName(id), (instance: MessageTracker) => {
      (instance as unknown as { env: Env }).env = trackerEnv;
    });
  }

  async function statusIn(db: D1Database, tag: string): Promise<string[]> {
    const page = await searchMessages(db, { tag }, { limit: 10 });
    return page.messages.map((m) => `${m.id}:${m.status}`);
  }

  it("keeps its shard when a shard is added, while a new message goes to the new one", async () => {
    const tag = `tag-${crypto.randomUUID()}`;
    const after = ["MESSAGE_INDEX", "INDEX_SHARD_3"];
    const pick = () => {
      for (;;) {
        const id = newMessageId("sharded");
        if (chooseShard(id, after) === "INDEX_SHARD_3") return id;
      }
    };
    const old = pick();
    const fresh = pick();
    used.push(old, fresh);
    await post(old, "message-sending", tag);
    await waitFor(async () => ((await statusIn(env.MESSAGE_INDEX, tag)).length === 1 ? true : undefined));

    const twoShards = withShards(after);
    await configure(old, twoShards);
    await configure(fresh, twoShards);
    await post(old, "message-delivered", tag);
    await post(fresh, "message-sending", tag);
    const both = await waitFor(async () => {
      const found = await summaries(twoShards, { tag });
      const states = found.map((m) => `${(m as { id: string }).id}:${(m as { status: string }).status}`);
      return states.length === 2 && states.includes(`${old}:delivered`) ? states : undefined;
    });
    expect(both).toContain(`${fresh}:sending`);
    expect(await statusIn(env.MESSAGE_INDEX, tag)).toEqual([`${old}:delivered`]);
    expect(await statusIn(env.INDEX_SHARD_3, tag)).toEqual([`${fresh}:sending`]);
  });
});
