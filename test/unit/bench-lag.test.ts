/**
 * The bench's matching of downstream arrivals against acknowledgements (bench/lib/lag.ts).
 */
import { describe, expect, it } from "vitest";
import { type AckRecord, expectedEvents, matchForwarding } from "../../bench/lib/lag.ts";

const ack = (events: string[], ackAt: number, options: Partial<AckRecord> = {}): AckRecord => ({
  events,
  ackAt,
  ok: true,
  retry: false,
  ...options,
});

describe("expectedEvents", () => {
  it("expects only events acknowledged with a 2xx by an original request", () => {
    const expected = expectedEvents([
      ack(["a"], 100),
      ack(["b"], 110, { ok: false }),
      ack(["c"], 120, { retry: true }),
    ]);
    expect([...expected]).toEqual([["a", 100]]);
  });

  it("keeps the earliest acknowledgement of an event sent twice", () => {
    expect(expectedEvents([ack(["a"], 300), ack(["a"], 200)]).get("a")).toBe(200);
  });
});

describe("matchForwarding", () => {
  it("measures lag from the acknowledgement to the first arrival", () => {
    const match = matchForwarding(
      [ack(["a"], 1_000), ack(["b"], 1_000)],
      [
        { key: "b", at: 1_250 },
        { key: "a", at: 1_040 },
        { key: "a", at: 1_900 },
      ],
    );
    expect(match.lagsMs.sort((x, y) => x - y)).toEqual([40, 250]);
    expect(match).toMatchObject({ expected: 2, received: 2, lost: 0, duplicateDeliveries: 1 });
  });

  it("counts expected events that never arrived as lost, with a sample", () => {
    const match = matchForwarding([ack(["a", "b"], 10)], [{ key: "a", at: 20 }]);
    expect(match).toMatchObject({ expected: 2, received: 1, lost: 1, lostSample: ["b"] });
  });

  it("counts arrivals nobody acknowledged apart, without calling them lost or late", () => {
    const match = matchForwarding(
      [ack(["a"], 10)],
      [
        { key: "a", at: 30 },
        { key: "in-flight", at: 40 },
      ],
    );
    expect(match).toMatchObject({ expected: 1, received: 1, lost: 0, unacknowledged: 1, lagsMs: [20] });
  });

  it("uses the earliest arrival even when arrivals are listed out of order", () => {
    const match = matchForwarding(
      [ack(["a"], 0)],
      [
        { key: "a", at: 90 },
        { key: "a", at: 50 },
      ],
    );
    expect(match.lagsMs).toEqual([50]);
  });
});
