/**
 * The message index under a real `wrangler dev`: the harness applies the D1 migrations before the first start,
 * GET /messages and GET /stats answer from the local database, rows loaded with `wrangler d1 execute --local`
 * (the bench's bulk path) are listed page by page, and they survive a restart.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bulkInsertSql, generateIndexRows } from "../../bench/lib/index-data.ts";
import { executeLocalSql } from "../../harness/message-index.ts";
import { admin } from "./harness/client.ts";
import { useStack } from "./harness/stack.ts";

const stack = useStack();

interface Page {
  messages: Array<{ id: string; time: string }>;
  nextCursor: string | null;
}

describe("the message index under wrangler dev", () => {
  it("is migrated before the first start: GET /stats and GET /messages answer, empty", async () => {
    const { receiver } = stack();
    const stats = await admin(receiver, "GET", "/stats?by=hour");
    expect(stats.status, JSON.stringify(stats.body)).toBe(200);
    expect(stats.body).toMatchObject({ outbound: { recipients: 0 }, inbound: { messages: 0 } });
    const search = await admin(receiver, "GET", "/messages");
    expect(search.status).toBe(200);
    expect(search.body).toEqual({ messages: [], nextCursor: null });
  });

  it("lists rows loaded into its local database page by page, newest first, and keeps them over a restart", async () => {
    const { receiver, persistTo } = stack();
    const rows = generateIndexRows({ messages: 1_000, seed: 3, end: Date.now(), spanMs: 3_600_000 });
    const dir = await mkdtemp(join(tmpdir(), "e2e-index-"));
    try {
      const file = join(dir, "rows.sql");
      await writeFile(file, bulkInsertSql(rows.slice(0, 30)));
      await executeLocalSql(file, persistTo);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const response = await admin(receiver, "GET", `/messages?limit=7${query}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const page = response.body as Page;
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.nextCursor;
    } while (cursor && seen.length < 100);
    expect(seen).toEqual(
      rows
        .slice(0, 30)
        .map((row) => row.summary.id)
        .reverse(),
    );

    await receiver.restart({ signal: "SIGTERM" });
    const after = await admin(receiver, "GET", "/stats");
    expect(after.status).toBe(200);
    const outbound = rows
      .slice(0, 30)
      .flatMap((row) => (row.summary.direction === "outbound" ? row.recipients : []));
    expect(after.body).toMatchObject({ outbound: { recipients: outbound.length } });
  });
});
