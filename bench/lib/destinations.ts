/**
 * The bench's three-destination run, pure: the destinations and their filters (each event reaches one or more
 * of them), where each event of the mix goes, and the forwarding figures across the three downstreams.
 */
import { type AckRecord, type Arrival, type ForwardingFigures, matchForwarding } from "./lag.ts";
import { summarize } from "./percentiles.ts";

/** One HTTP destination of the run; `events` is its filter (absent: every event). */
export interface BenchDestination {
  name: string;
  events?: readonly string[];
}

/**
 * Everything to an archive, the outcomes to a CRM, the failures to an alerting hook: a `message-sending` goes to
 * one destination, a `message-delivered` to two, a `message-failed` to three.
 */
export const BENCH_DESTINATIONS: readonly BenchDestination[] = [
  { name: "archive" },
  { name: "crm", events: ["delivered", "failed"] },
  { name: "alerts", events: ["failed"] },
];

/** The normalized event name of an event key (`<messageId> <bandwidth type> <recipient>`): `delivered`. */
function eventNameOfKey(key: string): string {
  const type = key.split(" ")[1] ?? "";
  return type.startsWith("message-") ? type.slice("message-".length) : type;
}

/** Whether `destination`'s filter lets the event with `key` through. */
export function routes(destination: BenchDestination, key: string): boolean {
  return destination.events === undefined || destination.events.includes(eventNameOfKey(key));
}

/** The acknowledgements as one destination sees them: each request's events that are routed to it. */
export function acksFor(acks: readonly AckRecord[], destination: BenchDestination): AckRecord[] {
  return acks.map((ack) => ({ ...ack, events: ack.events.filter((key) => routes(destination, key)) }));
}

/** `DESTINATIONS` for the receiver, as JSON, given each destination's URL. */
export function destinationsVar(
  destinations: readonly BenchDestination[],
  urls: Readonly<Record<string, string>>,
): string {
  return JSON.stringify(
    destinations.map(({ name, events }) => ({
      name,
      url: urls[name],
      ...(events === undefined ? {} : { filter: { events } }),
    })),
  );
}

/** One destination's share of the run. */
export interface DestinationFigures {
  name: string;
  expected: number;
  received: number;
  lost: number;
  duplicateDeliveries: number;
  lagP99Ms: number | null;
}

/**
 * The forwarding of the run across destinations: lags are per delivery (an event to one destination), and
 * `expected` counts acknowledged events × the destinations each is routed to.
 */
export interface DestinationsForwarding extends ForwardingFigures {
  perDestination: DestinationFigures[];
}

/** Matches each destination's arrivals against the acknowledgements of the events routed to it. */
export function matchDestinations(
  acks: readonly AckRecord[],
  arrivals: ReadonlyMap<string, readonly Arrival[]>,
  destinations: readonly BenchDestination[] = BENCH_DESTINATIONS,
): DestinationsForwarding {
  const lags: number[] = [];
  const perDestination = destinations.map((destination) => {
    const match = matchForwarding(acksFor(acks, destination), arrivals.get(destination.name) ?? []);
    lags.push(...match.lagsMs);
    return {
      name: destination.name,
      expected: match.expected,
      received: match.received,
      lost: match.lost,
      duplicateDeliveries: match.duplicateDeliveries,
      lagP99Ms: summarize(match.lagsMs).p99,
    };
  });
  const lag = summarize(lags);
  const sum = (field: "expected" | "received" | "lost" | "duplicateDeliveries") =>
    perDestination.reduce((total, figures) => total + figures[field], 0);
  return {
    lagP50Ms: lag.p50,
    lagP90Ms: lag.p90,
    lagP99Ms: lag.p99,
    lagMaxMs: lag.max,
    expected: sum("expected"),
    received: sum("received"),
    lost: sum("lost"),
    duplicateDeliveries: sum("duplicateDeliveries"),
    perDestination,
  };
}

/** The three-destination lag p99 over the one-destination one, or null when either is missing or zero. */
export function lagP99Ratio(threeDestinations: number | null, oneDestination: number | null): number | null {
  if (threeDestinations === null || oneDestination === null || oneDestination <= 0) return null;
  return threeDestinations / oneDestination;
}
