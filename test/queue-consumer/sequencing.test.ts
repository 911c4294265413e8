/**
 * The example queue consumer's ordering decisions (examples/queue-consumer/src/sequencing.ts): which events are
 * processed at once, which are held, and which held ones a wait or an arrival releases.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type HeldEvent,
  nextWake,
  placeEvent,
  releasable,
} from "../../examples/queue-consumer/src/sequencing.ts";

const held = (sequence: number, heldUntil = 10_000): HeldEvent => ({
  id: `e${sequence}`,
  sequence,
  heldUntil,
});

/** Feeds `arrivals` (sequences) one at a time at time 0, no wait ever over; returns the processing order. */
function processingOrder(arrivals: readonly number[]): number[] {
  const order: number[] = [];
  let waiting: HeldEvent[] = [];
  for (const sequence of arrivals) {
    const placement = placeEvent(sequence, order.at(-1) ?? 0);
    if (placement === "hold") {
      waiting.push(held(sequence));
      continue;
    }
    order.push(sequence);
    const released = releasable(waiting, order.at(-1) ?? 0, 0);
    order.push(...released.map((event) => event.sequence));
    waiting = waiting.filter((event) => !released.includes(event));
  }
  return order;
}

describe("placeEvent", () => {
  it("processes the next sequence and an event without one at once", () => {
    expect(placeEvent(1, 0)).toBe("process");
    expect(placeEvent(4, 3)).toBe("process");
    expect(placeEvent(undefined, 3)).toBe("process");
  });

  it("holds an event whose predecessors have not been processed", () => {
    expect(placeEvent(2, 0)).toBe("hold");
    expect(placeEvent(6, 3)).toBe("hold");
  });

  it("calls an event whose place was given up on late", () => {
    expect(placeEvent(2, 5)).toBe("late");
  });
});

describe("releasable", () => {
  it("releases the next sequence and those following it without a gap, in order", () => {
    expect(releasable([held(4), held(2), held(3), held(6)], 1, 0).map((e) => e.sequence)).toEqual([2, 3, 4]);
  });

  it("keeps waiting at a gap until the event after it has waited its time", () => {
    const waiting = [held(3, 500), held(4, 900), held(6, 700)];
    expect(releasable(waiting, 1, 499)).toEqual([]);
    // Sequence 2 is given up on at 500; 5 is still awaited until 6's own wait ends at 700.
    expect(releasable(waiting, 1, 500).map((e) => e.sequence)).toEqual([3, 4]);
    expect(releasable(waiting, 1, 700).map((e) => e.sequence)).toEqual([3, 4, 6]);
  });
});

describe("nextWake", () => {
  it("is the earliest end of a wait, or nothing when nothing is held", () => {
    expect(nextWake([held(3, 900), held(5, 400)])).toBe(400);
    expect(nextWake([])).toBeUndefined();
  });
});

describe("any arrival order", () => {
  it("is processed in sequence order when every event arrives within its wait", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.shuffledSubarray(
            Array.from({ length: n }, (_, index) => index + 1),
            { minLength: n, maxLength: n },
          ),
        ),
        (arrivals) => {
          expect(processingOrder(arrivals)).toEqual([...arrivals].sort((a, b) => a - b));
        },
      ),
    );
  });
});
