/**
 * The bench's command line (bench/lib/args.ts).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, parseBenchArgs } from "../../bench/lib/args.ts";

describe("parseBenchArgs", () => {
  it("defaults to 20 s at 32 connections", () => {
    expect(parseBenchArgs([])).toEqual({ ok: true, options: DEFAULT_OPTIONS });
    expect(DEFAULT_OPTIONS).toMatchObject({ durationS: 20, concurrency: 32 });
  });

  it("reads --flag value and --flag=value", () => {
    const parsed = parseBenchArgs(["--duration", "5", "--concurrency=8", "--seed", "7", "--out=x.json"]);
    expect(parsed).toEqual({
      ok: true,
      options: { ...DEFAULT_OPTIONS, durationS: 5, concurrency: 8, seed: 7, out: "x.json" },
    });
  });

  it("reads --tmpfs, which takes no value, anywhere on the line", () => {
    expect(DEFAULT_OPTIONS.tmpfs).toBe(false);
    const parsed = parseBenchArgs(["--duration", "5", "--tmpfs", "--concurrency", "8"]);
    expect(parsed).toEqual({
      ok: true,
      options: { ...DEFAULT_OPTIONS, durationS: 5, concurrency: 8, tmpfs: true },
    });
  });

  it("refuses unknown flags, missing values and values out of range", () => {
    expect(parseBenchArgs(["--durations", "5"]).ok).toBe(false);
    expect(parseBenchArgs(["--duration"]).ok).toBe(false);
    expect(parseBenchArgs(["--duration", "0"]).ok).toBe(false);
    expect(parseBenchArgs(["--concurrency", "1.5"]).ok).toBe(false);
    expect(parseBenchArgs(["--out", "latest.txt"]).ok).toBe(false);
  });

  it("takes --scenario burst, whose result goes to bench/results/burst.json unless --out says otherwise", () => {
    expect(parseBenchArgs(["--scenario", "burst"])).toEqual({
      ok: true,
      options: { ...DEFAULT_OPTIONS, scenario: "burst", out: "bench/results/burst.json" },
    });
    expect(parseBenchArgs(["--scenario=burst", "--out", "b.json"])).toMatchObject({
      ok: true,
      options: { out: "b.json" },
    });
    expect(parseBenchArgs(["--scenario", "flood"]).ok).toBe(false);
  });
});
