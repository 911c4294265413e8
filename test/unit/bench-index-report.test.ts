/**
 * The index scenario's figures, targets and table (bench/lib/index-report.ts), and its command line.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, INDEX_RESULT, parseBenchArgs } from "../../bench/lib/args.ts";
import {
  figuresOf,
  formatIndexTable,
  type IndexBenchResult,
  indexTargets,
} from "../../bench/lib/index-report.ts";

const latencies = Array.from({ length: 40 }, (_, i) => i + 1);

describe("figuresOf and indexTargets", () => {
  it("take nearest-rank p50 and p95 per query", () => {
    const figures = figuresOf([
      { name: "q", path: "/messages", latenciesMs: [...latencies].reverse(), rows: 50 },
    ]);
    expect(figures.q).toEqual({ path: "/messages", requests: 40, p50Ms: 20, p95Ms: 38, maxMs: 40, rows: 50 });
  });

  it("hold the slowest search to 200 ms and the slowest 24 h statistics to 500 ms", () => {
    const search = figuresOf([
      { name: "a", path: "/messages", latenciesMs: [10, 20], rows: 1 },
      { name: "b", path: "/messages?x", latenciesMs: [150, 190], rows: 1 },
    ]);
    const stats = figuresOf([
      { name: "24h", path: "/stats", latenciesMs: [300], rows: 1 },
      { name: "7d by=day", path: "/stats?by=day", latenciesMs: [900], rows: 1 },
    ]);
    expect(indexTargets(search, stats).map((t) => [t.value, t.ok])).toEqual([
      [190, true],
      [300, true],
    ]);
    const slow = figuresOf([{ name: "24h by=hour", path: "/stats", latenciesMs: [501], rows: 1 }]);
    expect(
      indexTargets(figuresOf([{ name: "a", path: "/", latenciesMs: [201], rows: 1 }]), slow).map((t) => t.ok),
    ).toEqual([false, false]);
    expect(indexTargets({}, {}).every((t) => !t.ok)).toBe(true);
    // Index bytes per message, all shards: at most 600.
    expect(indexTargets({}, {}, 600).at(-1)).toMatchObject({ value: 600, ok: true });
    expect(indexTargets({}, {}, 601).at(-1)).toMatchObject({ value: 601, ok: false });
  });

  it("prints every query and every target", () => {
    const search = figuresOf([{ name: "newest", path: "/messages", latenciesMs: [5], rows: 50 }]);
    const stats = figuresOf([{ name: "24h", path: "/stats", latenciesMs: [7], rows: 9 }]);
    const result: IndexBenchResult = {
      timestamp: "2026-01-01T00:00:00.000Z",
      machine: {},
      params: {
        messages: 100,
        shards: 2,
        recipientRows: 110,
        spanDays: 7,
        seed: 1,
        rounds: 1,
        load: "sql",
        loadMs: 1_000,
      },
      storage: { bytes: 40_000, bytesPerMessage: 400 },
      search,
      stats,
      targets: indexTargets(search, stats, 400),
      warnings: [],
    };
    const table = formatIndexTable(result);
    expect(table).toMatch(/over 2 shards/);
    expect(table).toMatch(/400 index bytes per message/);
    expect(table).toMatch(/search newest +5\.0 +5\.0/);
    expect(table).toMatch(/stats 24h +7\.0/);
    expect(table).toMatch(/^ok +search p95/m);
  });
});

describe("parseBenchArgs: the index scenario", () => {
  it("selects the scenario, its message count, and its own result file unless --out is given", () => {
    expect(parseBenchArgs(["--scenario", "index"])).toEqual({
      ok: true,
      options: { ...DEFAULT_OPTIONS, scenario: "index", out: INDEX_RESULT },
    });
    expect(parseBenchArgs(["--scenario=index", "--messages", "5000", "--out", "x.json"])).toMatchObject({
      ok: true,
      options: { scenario: "index", messages: 5_000, out: "x.json" },
    });
    expect(parseBenchArgs([]).ok && parseBenchArgs([])).toMatchObject({ options: { scenario: "ingest" } });
    expect(parseBenchArgs(["--scenario", "search"]).ok).toBe(false);
    expect(parseBenchArgs(["--messages", "10"]).ok).toBe(false);
    expect(parseBenchArgs(["--scenario", "index", "--shards", "2"])).toMatchObject({
      options: { shards: 2 },
    });
    expect(parseBenchArgs(["--shards", "9"]).ok).toBe(false);
  });
});
