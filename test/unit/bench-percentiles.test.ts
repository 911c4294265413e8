/**
 * The bench's percentiles (bench/lib/percentiles.ts): nearest rank, over unsorted input.
 */
import { describe, expect, it } from "vitest";
import { percentileOfSorted, summarize } from "../../bench/lib/percentiles.ts";

describe("percentileOfSorted", () => {
  it("takes the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(values, 50)).toBe(50);
    expect(percentileOfSorted(values, 99)).toBe(99);
    expect(percentileOfSorted(values, 100)).toBe(100);
    expect(percentileOfSorted([7, 9], 50)).toBe(7);
    expect(percentileOfSorted([7, 9], 51)).toBe(9);
  });

  it("is null for no values", () => {
    expect(percentileOfSorted([], 50)).toBeNull();
  });
});

describe("summarize", () => {
  it("sorts before taking percentiles and keeps negative values", () => {
    expect(summarize([30, -5, 10, 20])).toEqual({
      count: 4,
      mean: 13.75,
      p50: 10,
      p90: 30,
      p99: 30,
      max: 30,
    });
  });

  it("gives null figures for an empty list", () => {
    expect(summarize([])).toEqual({ count: 0, mean: null, p50: null, p90: null, p99: null, max: null });
  });
});
