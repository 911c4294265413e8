/**
 * The index scenario's generated data and bulk SQL (bench/lib/index-data.ts).
 */
import { describe, expect, it } from "vitest";
import { bulkInsertSql, generateIndexRows, probesOf, sqlLiteral } from "../../bench/lib/index-data.ts";
import { INDEX_COLUMNS } from "../../src/index-db/columns.ts";

const PLAN = { messages: 2_000, seed: 7, end: Date.UTC(2026, 0, 8), spanMs: 7 * 86_400_000 };

describe("generateIndexRows", () => {
  it("is the same for the same plan, and spreads the messages' times over the span, oldest first", () => {
    const rows = generateIndexRows(PLAN);
    expect(generateIndexRows(PLAN)).toEqual(rows);
    expect(rows).toHaveLength(2_000);
    expect(rows.at(-1)?.summary.time).toBe(PLAN.end);
    expect(rows[0]?.summary.time).toBeGreaterThanOrEqual(PLAN.end - PLAN.spanMs);
    const times = rows.map((row) => row.summary.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(rows.map((row) => row.summary.id)).size).toBe(2_000);
  });

  it("shapes rows as the mapping does: status from the recipients, failed codes listed, inbound received", () => {
    const rows = generateIndexRows(PLAN);
    for (const { summary, recipients } of rows) {
      const statuses = new Set(recipients.map((r) => r.status));
      expect(summary.status).toBe(statuses.size === 1 ? [...statuses][0] : "mixed");
      const codes = [...new Set(recipients.flatMap((r) => (r.errorCode === null ? [] : [r.errorCode])))];
      expect(summary.errorCodes).toEqual(codes.sort((a, b) => a - b));
      expect(recipients.map((r) => r.recipient)).toEqual(summary.to);
      if (summary.direction === "inbound") expect(statuses).toEqual(new Set(["received"]));
      for (const r of recipients) {
        if (r.status === "failed") expect(r.errorCode).not.toBeNull();
        if (r.deliveredAt !== null) expect(r.deliveredAt).toBeGreaterThan(summary.time);
      }
    }
    const outbound = rows.filter((row) => row.summary.direction === "outbound").length;
    expect(outbound / rows.length).toBeGreaterThan(0.8);
    expect(rows.some((row) => row.recipients.length > 1)).toBe(true);
    expect(rows.some((row) => row.summary.errorCodes.includes(9902))).toBe(true);
  });

  it("offers probes that the data holds", () => {
    const rows = generateIndexRows(PLAN);
    const probes = probesOf(rows);
    expect(rows.some((row) => row.summary.to.includes(probes.to) && row.summary.tag === probes.tag)).toBe(
      true,
    );
    expect(rows.some((row) => row.summary.from === probes.from)).toBe(true);
  });
});

describe("bulkInsertSql", () => {
  it("inserts every row into the index's table in the columns writeMessage fills, in bounded statements", () => {
    const rows = generateIndexRows({ ...PLAN, messages: 450 });
    const sql = bulkInsertSql(rows, 200);
    const statements = sql.split(";\n").filter((statement) => statement.trim() !== "");
    expect(statements.filter((s) => s.startsWith("INSERT INTO message_index "))).toHaveLength(3);
    expect(statements).toHaveLength(3);
    expect(sql).toContain(`INSERT INTO message_index (${INDEX_COLUMNS.join(", ")}) VALUES`);
    for (const statement of statements) expect(statement.length).toBeLessThan(100_000);
    expect(sql.match(/^\(\d+,'bench-/gm)?.length).toBe(450);
  });

  it("writes SQL literals that cannot break out of their quotes", () => {
    expect(sqlLiteral(null)).toBe("NULL");
    expect(sqlLiteral(42)).toBe("42");
    expect(sqlLiteral("AT&T's")).toBe("'AT&T''s'");
    expect(sqlLiteral(`'); DROP TABLE messages; --`)).toBe(`'''); DROP TABLE messages; --'`);
    expect(() => sqlLiteral(Number.NaN)).toThrow(RangeError);
  });
});
