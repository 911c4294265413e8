/**
 * Matching what the downstream received against what the receiver acknowledged: forwarding lag per event
 * (downstream arrival minus the acknowledgement of the request that carried it), lost and duplicated events.
 */

/** One answered callback request, as the load generator saw it. */
export interface AckRecord {
  /** The keys of the events the request carried. */
  events: readonly string[];
  /** Epoch milliseconds when the answer arrived. */
  ackAt: number;
  /** Whether the answer was a 2xx. */
  ok: boolean;
  /** Whether the request repeated an earlier body (a Bandwidth retry). */
  retry: boolean;
}

/** One event as the downstream received it. */
export interface Arrival {
  key: string;
  /** Epoch milliseconds when its body had arrived. */
  at: number;
}

/** What became of the acknowledged events. */
export interface ForwardingMatch {
  /** Distinct events acknowledged with a 2xx by a request that was not a retry. */
  expected: number;
  /** How many of those reached the downstream. */
  received: number;
  /** Expected events that never reached the downstream. */
  lost: number;
  /** Deliveries beyond the first of the same event (of any event the downstream saw). */
  duplicateDeliveries: number;
  /** Distinct events the downstream saw that were never acknowledged (e.g. in flight when the load stopped). */
  unacknowledged: number;
  /** Forwarding lag of each received expected event, in ms (first arrival minus first 2xx ack). */
  lagsMs: number[];
  /** Up to ten keys of lost events, for diagnosis. */
  lostSample: string[];
}

/** The forwarding of a run, summarized: lag percentiles and what was expected, received, lost and repeated. */
export interface ForwardingFigures {
  lagP50Ms: number | null;
  lagP90Ms: number | null;
  lagP99Ms: number | null;
  lagMaxMs: number | null;
  expected: number;
  received: number;
  lost: number;
  duplicateDeliveries: number;
}

/** The first 2xx acknowledgement time of every event carried by a non-retry request. */
export function expectedEvents(acks: readonly AckRecord[]): Map<string, number> {
  const expected = new Map<string, number>();
  for (const ack of acks) {
    if (!ack.ok || ack.retry) continue;
    for (const key of ack.events) {
      const known = expected.get(key);
      if (known === undefined || ack.ackAt < known) expected.set(key, ack.ackAt);
    }
  }
  return expected;
}

/** Matches arrivals against acknowledgements. */
export function matchForwarding(acks: readonly AckRecord[], arrivals: readonly Arrival[]): ForwardingMatch {
  const expected = expectedEvents(acks);
  const firstArrival = new Map<string, number>();
  let duplicateDeliveries = 0;
  for (const arrival of arrivals) {
    const known = firstArrival.get(arrival.key);
    if (known === undefined) firstArrival.set(arrival.key, arrival.at);
    else {
      duplicateDeliveries++;
      if (arrival.at < known) firstArrival.set(arrival.key, arrival.at);
    }
  }
  const lagsMs: number[] = [];
  const lostSample: string[] = [];
  let lost = 0;
  for (const [key, ackAt] of expected) {
    const at = firstArrival.get(key);
    if (at === undefined) {
      lost++;
      if (lostSample.length < 10) lostSample.push(key);
    } else {
      lagsMs.push(at - ackAt);
    }
  }
  let unacknowledged = 0;
  for (const key of firstArrival.keys()) if (!expected.has(key)) unacknowledged++;
  return {
    expected: expected.size,
    received: expected.size - lost,
    lost,
    duplicateDeliveries,
    unacknowledged,
    lagsMs,
    lostSample,
  };
}
