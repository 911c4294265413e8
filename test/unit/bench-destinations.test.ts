/**
 * The bench's three-destination run (bench/lib/destinations.ts): where each event of the mix goes, the
 * receiver's DESTINATIONS, and the forwarding figures per delivery across the downstreams.
 */
import { describe, expect, it } from "vitest";
import {
  acksFor,
  BENCH_DESTINATIONS,
  type BenchDestination,
  destinationsVar,
  lagP99Ratio,
  matchDestinations,
  routes,
} from "../../bench/lib/destinations.ts";
import type { AckRecord } from "../../bench/lib/lag.ts";
import { eventKey } from "../../bench/lib/mix.ts";

const sending = eventKey("m1", "message-sending", "+15550000001");
const delivered = eventKey("m1", "message-delivered", "+15550000001");
const failed = eventKey("m2", "message-failed", "+15550000002");
const ack = (events: string[], ackAt: number): AckRecord => ({ events, ackAt, ok: true, retry: false });
const named = (name: string): BenchDestination => {
  const destination = BENCH_DESTINATIONS.find((candidate) => candidate.name === name);
  if (!destination) throw new Error(`no destination ${name}`);
  return destination;
};

describe("routes", () => {
  it("sends every event to at least one destination: sending to one, delivered to two, failed to three", () => {
    const reached = (key: string) => BENCH_DESTINATIONS.filter((d) => routes(d, key)).map((d) => d.name);
    expect(reached(sending)).toEqual(["archive"]);
    expect(reached(delivered)).toEqual(["archive", "crm"]);
    expect(reached(failed)).toEqual(["archive", "crm", "alerts"]);
  });
});

describe("acksFor", () => {
  it("keeps each request's events routed to the destination, and the request itself", () => {
    expect(acksFor([ack([sending, delivered], 10)], named("crm"))).toEqual([ack([delivered], 10)]);
  });
});

describe("destinationsVar", () => {
  it("gives the receiver one HTTP destination per entry, with an events filter where there is one", () => {
    const urls = { archive: "http://127.0.0.1:1/events", crm: "http://127.0.0.1:2/events", alerts: "x" };
    expect(JSON.parse(destinationsVar(BENCH_DESTINATIONS, urls))).toEqual([
      { name: "archive", url: "http://127.0.0.1:1/events" },
      { name: "crm", url: "http://127.0.0.1:2/events", filter: { events: ["delivered", "failed"] } },
      { name: "alerts", url: "x", filter: { events: ["failed"] } },
    ]);
  });
});

describe("matchDestinations", () => {
  it("measures each delivery against its event's acknowledgement and counts what a destination missed", () => {
    const acks = [ack([sending], 1_000), ack([delivered], 2_000), ack([failed], 3_000)];
    const arrivals = new Map([
      [
        "archive",
        [
          { key: sending, at: 1_010 },
          { key: delivered, at: 2_020 },
          { key: failed, at: 3_030 },
        ],
      ],
      ["crm", [{ key: delivered, at: 2_100 }]],
      ["alerts", [{ key: failed, at: 3_300 }]],
    ]);
    const figures = matchDestinations(acks, arrivals);
    expect(figures).toMatchObject({ expected: 6, received: 5, lost: 1, lagP50Ms: 30, lagMaxMs: 300 });
    expect(figures.perDestination.map((d) => [d.name, d.expected, d.lost])).toEqual([
      ["archive", 3, 0],
      ["crm", 2, 1],
      ["alerts", 1, 0],
    ]);
  });
});

describe("lagP99Ratio", () => {
  it("is the three-destination p99 over the one-destination p99, or null without both", () => {
    expect(lagP99Ratio(1_500, 1_000)).toBe(1.5);
    expect(lagP99Ratio(null, 1_000)).toBeNull();
    expect(lagP99Ratio(1_500, 0)).toBeNull();
  });
});
