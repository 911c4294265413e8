/**
 * GET /messages through the Worker, over rows written with writeMessage (no tracker involved): each filter, the
 * signed cursor (pages without gaps or repeats, tampering refused), bounded limits, and 400s that name the
 * parameter without echoing its value.
 */
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { MessageSummary } from "../../src/index-db/search.ts";
import { writeMessage } from "../../src/index-db/write.ts";
import { admin } from "../helpers/http.ts";
import { inboundEvents, outboundEvents, rowsOf } from "../helpers/index-messages.ts";

const db = env.MESSAGE_INDEX;

interface Page {
  messages: MessageSummary[];
  nextCursor: string | null;
}

function scope(): string {
  return `app-search-${crypto.randomUUID()}`;
}

function minute(n: number): string {
  return new Date(Date.UTC(2025, 5, 1, 8, n)).toISOString();
}

async function search(query: Record<string, string>): Promise<Page> {
  const response = await admin(`/messages?${new URLSearchParams(query)}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json();
}

async function ids(query: Record<string, string>): Promise<string[]> {
  return (await search(query)).messages.map((m) => m.id);
}

/** A 400 whose error names `parameter` and contains none of `secrets`. */
async function expectRefused(query: string, parameter: string, secrets: string[] = []) {
  const response = await admin(`/messages?${query}`);
  expect(response.status, query).toBe(400);
  const text = await response.text();
  expect(JSON.parse(text).error, query).toContain(parameter);
  for (const secret of secrets) expect(text, query).not.toContain(secret);
}

/** Five messages of one application: two senders, two tags, two error codes, one inbound. */
async function seed() {
  const app = scope();
  const id = (name: string) => `${app}-${name}`;
  const messages = [
    outboundEvents(
      { id: id("delivered"), time: minute(1), applicationId: app, tag: "a" },
      {
        "+15550001001": { status: "delivered" },
      },
    ),
    outboundEvents(
      { id: id("failed"), time: minute(2), applicationId: app, tag: "b", from: "+15550009999" },
      {
        "+15550001001": { status: "failed", errorCode: 4720 },
        "+15550001002": { status: "failed", errorCode: 4720 },
      },
    ),
    outboundEvents(
      { id: id("no-receipt"), time: minute(3), applicationId: app },
      {
        "+15550001003": { status: "failed", errorCode: 9902 },
      },
    ),
    outboundEvents(
      { id: id("sent"), time: minute(4), applicationId: app, tag: "a" },
      {
        "+15550001002": { status: "sent" },
      },
    ),
    inboundEvents({ id: id("inbound"), time: minute(5), applicationId: app }, ["+15550001002"]),
  ];
  for (const events of messages) await writeMessage(db, rowsOf(events));
  return { app, id };
}

describe("GET /messages", () => {
  it("lists summaries newest first with a null nextCursor on the last page", async () => {
    const { app, id } = await seed();
    const page = await search({ applicationId: app });
    expect(page.nextCursor).toBeNull();
    expect(page.messages.map((m) => m.id)).toEqual(
      ["inbound", "sent", "no-receipt", "failed", "delivered"].map(id),
    );
    expect(page.messages[3]).toEqual({
      id: id("failed"),
      direction: "outbound",
      from: "+15550009999",
      to: ["+15550001001", "+15550001002"],
      applicationId: app,
      tag: "b",
      status: "failed",
      errorCodes: [4720],
      segmentCount: 1,
      time: minute(2),
      updatedAt: expect.any(String),
      pending: 0,
      dead: 0,
      quarantined: 0,
      unrouted: 0,
    });
  });

  it("filters by each parameter", async () => {
    const { app, id } = await seed();
    expect(await ids({ applicationId: app, status: "failed" })).toEqual([id("no-receipt"), id("failed")]);
    expect(await ids({ applicationId: app, direction: "inbound" })).toEqual([id("inbound")]);
    expect(await ids({ applicationId: app, direction: "outbound" })).toHaveLength(4);
    expect(await ids({ applicationId: app, from: "+15550009999" })).toEqual([id("failed")]);
    expect(await ids({ applicationId: app, to: "+15550001002" })).toEqual([
      id("inbound"),
      id("sent"),
      id("failed"),
    ]);
    expect(await ids({ applicationId: app, tag: "a" })).toEqual([id("sent"), id("delivered")]);
    expect(await ids({ applicationId: app, errorCode: "4720" })).toEqual([id("failed")]);
    expect(await ids({ applicationId: app, errorCode: "9902" })).toEqual([id("no-receipt")]);
    expect(await ids({ applicationId: app, since: minute(2), until: minute(4) })).toEqual([
      id("no-receipt"),
      id("failed"),
    ]);
    expect(await ids({ applicationId: app, since: "2025-06-01T10:04:00+02:00" })).toEqual([
      id("inbound"),
      id("sent"),
    ]);
    expect(await ids({ applicationId: `${app}-other` })).toEqual([]);
  });

  it("pages with nextCursor through every message once, without gaps or repeats, same times included", async () => {
    const app = scope();
    for (let i = 0; i < 13; i++) {
      const time = minute(i < 6 ? 0 : i);
      const events = outboundEvents(
        { id: `${app}-${String(i).padStart(2, "0")}`, time, applicationId: app },
        {
          "+15550002000": { status: "sent" },
        },
      );
      await writeMessage(db, rowsOf(events));
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await search({ applicationId: app, limit: "4", ...(cursor ? { cursor } : {}) });
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    expect(seen).toEqual(await ids({ applicationId: app, limit: "500" }));
    expect(new Set(seen).size).toBe(13);
  });

  it("refuses a tampered or made-up cursor, and one taken to other filters, without echoing it", async () => {
    const { app } = await seed();
    const { nextCursor } = await search({ applicationId: app, limit: "2" });
    expect(nextCursor).toEqual(expect.any(String));
    const cursor = nextCursor as string;
    const flipped = `${cursor[0] === "A" ? "B" : "A"}${cursor.slice(1)}`;
    const made = `${btoa(JSON.stringify([0, "x"])).replace(/=+$/, "")}.${"A".repeat(43)}`;
    for (const bad of [flipped, made, cursor.slice(0, -2), "not-a-cursor"]) {
      await expectRefused(
        new URLSearchParams({ applicationId: app, limit: "2", cursor: bad }).toString(),
        "cursor",
        [bad],
      );
    }
    await expectRefused(
      new URLSearchParams({ applicationId: app, status: "failed", cursor }).toString(),
      "cursor",
    );
    expect((await search({ applicationId: app, limit: "2", cursor })).messages).toHaveLength(2);
  });

  it("answers 50 summaries by default and at most 500", async () => {
    const app = scope();
    for (let i = 0; i < 52; i++) {
      const events = outboundEvents(
        { id: `${app}-${i}`, time: minute(i), applicationId: app },
        { a: { status: "sent" } },
      );
      await writeMessage(db, rowsOf(events));
    }
    const page = await search({ applicationId: app });
    expect(page.messages).toHaveLength(50);
    expect(page.nextCursor).not.toBeNull();
    expect((await search({ applicationId: app, limit: "500" })).messages).toHaveLength(52);
    expect((await search({ applicationId: app, limit: "1" })).messages).toHaveLength(1);
  });

  it("refuses bad parameters with a 400 naming the parameter, never its value", async () => {
    const phone = "+15557654321";
    await expectRefused("limit=0", "limit");
    await expectRefused("limit=501", "limit");
    await expectRefused("limit=1.5", "limit");
    await expectRefused("limit=1e2", "limit");
    await expectRefused(`limit=${encodeURIComponent(phone)}`, "limit", [phone]);
    await expectRefused("errorCode=47x0", "errorCode", ["47x0"]);
    await expectRefused("errorCode=-1", "errorCode");
    await expectRefused(`status=${encodeURIComponent(phone)}`, "status", [phone]);
    await expectRefused("direction=out", "direction");
    await expectRefused(`since=${encodeURIComponent(phone)}`, "since", [phone]);
    await expectRefused("until=2025-13-01T00:00:00Z", "until", ["2025-13-01"]);
    await expectRefused(`since=${minute(5)}&until=${minute(5)}`, "until");
    await expectRefused("to=", "to");
    await expectRefused(`tag=${"x".repeat(257)}`, "tag");
    await expectRefused("status=failed&status=sent", "status");
    await expectRefused("sort=time", "unknown query parameter: sort");
    await expectRefused(`${encodeURIComponent(phone)}=1`, "unknown query parameter", [phone, "5557654321"]);
  });

  it("needs the bearer token, and leaves GET /messages/:id to the message's object", async () => {
    const noToken = await exports.default.fetch("https://receiver.test/messages?limit=1");
    expect(noToken.status).toBe(401);
    expect(noToken.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const unknown = await admin(`/messages/${scope()}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: "message not found" });
  });

  it("answers 503 without details when the index fails", async () => {
    await db.exec("ALTER TABLE message_index RENAME TO message_index_away");
    try {
      const response = await admin("/messages?limit=1");
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ error: "message index unavailable; retry later" });
    } finally {
      await db.exec("ALTER TABLE message_index_away RENAME TO message_index");
    }
    expect((await admin("/messages?limit=1")).status).toBe(200);
  });
});
