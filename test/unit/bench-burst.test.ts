/**
 * The burst scenario's figures: the busiest 10 s window against the limit, events lost on either destination,
 * the unlimited destination's lag ratio, and the coordination's cost per limited delivery.
 */
import { describe, expect, it } from "vitest";
import { type BurstObservation, burstFigures, busiestWindow } from "../../bench/lib/burst.ts";

const PARAMS = { maxPerSecond: 10, offeredPerSecond: 100, events: 200 };

function observation(overrides: Partial<BurstObservation> = {}): BurstObservation {
  return {
    acknowledged: 200,
    limitedArrivals: Array.from({ length: 200 }, (_, i) => 1_000 + i * 100),
    limitedReceived: 200,
    unlimitedReceived: 200,
    unlimitedLagsMs: Array.from({ length: 100 }, (_, i) => i + 1),
    limiterRequests: 150,
    objectRowsWritten: 500,
    ...overrides,
  };
}

describe("busiestWindow", () => {
  it("counts the most times within any window, its end excluded", () => {
    expect(busiestWindow([0, 5, 9_999, 10_000, 10_001], 10_000)).toBe(4);
    expect(busiestWindow([0, 10_000], 10_000)).toBe(1);
    expect(busiestWindow([], 10_000)).toBe(0);
  });
});

describe("burstFigures", () => {
  it("divides the busiest window by ten seconds of the limit, and prices the coordination per delivery", () => {
    const figures = burstFigures(
      PARAMS,
      observation(),
      observation({ limitedArrivals: [], limiterRequests: 0, objectRowsWritten: 300 }),
    );
    expect(figures.highestWindowRatio).toBe(1);
    expect(figures.lost).toBe(0);
    expect(figures.limiterRequestsPerDelivery).toBe(0.75);
    expect(figures.extraRowsPerDelivery).toBe(1);
    expect(figures.unlimitedLagRatio).toBe(1);
    expect(figures.limitedSpanS).toBe(19.9);
    expect(figures.targetsMet).toEqual({ window: true, lost: true, lag: true });
  });

  it("counts events missing at either destination as lost, and flags a window over 1.1 and a lag over 1.2", () => {
    const crowded = observation({
      limitedArrivals: Array.from({ length: 200 }, (_, i) => 1_000 + i * 10),
      limitedReceived: 199,
      unlimitedLagsMs: Array.from({ length: 100 }, (_, i) => 2 * (i + 1)),
    });
    const figures = burstFigures(PARAMS, crowded, observation({ unlimitedReceived: 198 }));
    expect(figures.highestWindowRatio).toBe(2);
    expect(figures.lost).toBe(3);
    expect(figures.unlimitedLagRatio).toBe(2);
    expect(figures.targetsMet).toEqual({ window: false, lost: false, lag: false });
  });
});
