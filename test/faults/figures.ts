/**
 * The figures of one fault or load run, computed (purely) from what the sender saw, what the receiver stored
 * (`GET /messages/:id` histories) and what the downstream received.
 */
import type { DownstreamRequest } from "../../harness/downstream.ts";
import type { EventView } from "../e2e/harness/answers.ts";
import { deliveryCounts, firstDeliveries, outOfOrder } from "../e2e/harness/ordering.ts";
import { keyOfForwarded, keyOfStored } from "./event-key.ts";
import type { TrafficRun } from "./traffic.ts";

/** The figures of one scenario, as written to reports/faults-figures.json. */
export interface ScenarioFigures {
  scenario: string;
  /** ISO time the figures were taken. */
  measuredAt: string;
  /** Callbacks sent (Bandwidth-style resends included) and how many were never answered 200. */
  callbacks: number;
  callbackErrors: number;
  /** Acknowledged callbacks per second over the sending time. */
  achievedRate: number;
  /** Distinct events acknowledged with a 200. */
  accepted: number;
  /** Events in the receiver's histories (acknowledged ones, plus any stored whose 200 was lost in a crash). */
  stored: number;
  /** Acknowledged events that no history holds. */
  acceptedNotStored: number;
  /** Stored event ids answered 2xx by the downstream at least once. */
  deliveredDistinct: number;
  /** Acknowledged or stored events never delivered. */
  lost: number;
  /** Events whose forwarding state in the receiver's history is not `delivered` at the end (pending or dead). */
  notDeliveredInHistory: number;
  /** Delivered ids that no history holds. */
  unexpected: number;
  /** Extra 2xx deliveries of an id already delivered (at-least-once). */
  duplicates: number;
  /** Bandwidth events that reached the downstream or the history under more than one id. */
  idConflicts: number;
  /** Deliveries whose `sequence` differs from the history's for the same id. */
  sequenceMismatches: number;
  /** Requests that broke per-message order (sent before the previous sequence was delivered). */
  outOfOrder: number;
  /** Downstream requests whose Standard Webhooks signature did not verify. */
  badSignatures: number;
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  /** The ack p99 of each 10 s of sending, to show whether latency held or crept up. */
  ackP99Per10sMs: number[];
  /** From a callback's 200 to its event's first 2xx at the downstream. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** From the end of the fault (or of the traffic) until every event acknowledged by then was delivered. */
  timeToDrainMs: number;
  downstreamRequests: number;
  /** Downstream requests by answer: `200`, `503`, …, `none` (hung or dropped). */
  downstreamAnswers: Record<string, number>;
}

/** What a run produced. */
export interface RunEvidence {
  scenario: string;
  traffic: TrafficRun;
  /** Each message's history from `GET /messages/:id`. */
  histories: ReadonlyMap<string, readonly EventView[]>;
  requests: readonly DownstreamRequest[];
  /** When the fault ended (or the traffic, without one): what was acknowledged by then is the backlog. */
  drainFrom: number;
  measuredAt: number;
}

/** The nearest-rank percentile `p` (0–100) of `values`; 0 for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[keyOf(item)] = (counts[keyOf(item)] ?? 0) + 1;
  return counts;
}

function groupBySubject(requests: readonly DownstreamRequest[]): Map<string, DownstreamRequest[]> {
  const groups = new Map<string, DownstreamRequest[]>();
  for (const request of requests) {
    const subject = request.event?.subject ?? "";
    const group = groups.get(subject);
    if (group) group.push(request);
    else groups.set(subject, [request]);
  }
  return groups;
}

/** How many keys are known under more than one id, across the histories and the forwarded CloudEvents. */
function countIdConflicts(
  histories: RunEvidence["histories"],
  requests: readonly DownstreamRequest[],
): number {
  const idsByKey = new Map<string, Set<string>>();
  const note = (key: string | undefined, id: string) => {
    if (key === undefined) return;
    idsByKey.set(key, (idsByKey.get(key) ?? new Set()).add(id));
  };
  for (const [messageId, events] of histories) for (const e of events) note(keyOfStored(messageId, e), e.id);
  for (const request of requests) if (request.event) note(keyOfForwarded(request.event), request.event.id);
  return [...idsByKey.values()].filter((ids) => ids.size > 1).length;
}

/** The p99 of the 200 answers' latencies, per `windowMs` of sending time (by when each attempt started). */
export function ackP99PerWindow(traffic: TrafficRun, windowMs: number): number[] {
  const windows: number[][] = [];
  for (const record of traffic.records) {
    for (const attempt of record.attempts) {
      if (attempt.status !== 200) continue;
      const index = Math.max(0, Math.floor((attempt.startedAt - traffic.startedAt) / windowMs));
      for (let w = windows.length; w <= index; w++) windows.push([]);
      windows[index]?.push(attempt.latencyMs);
    }
  }
  return windows.map((latencies) => Math.round(percentile(latencies, 99)));
}

/** For each acknowledged event's key, when its first 200 arrived. */
function firstAcks(traffic: TrafficRun): Map<string, number> {
  const ackedAt = new Map<string, number>();
  for (const { planned, ackedAt: at } of traffic.records) {
    if (at !== undefined) ackedAt.set(planned.key, Math.min(at, ackedAt.get(planned.key) ?? at));
  }
  return ackedAt;
}

/** The stored events: sequence by id, and id by key. */
function storedIndex(histories: RunEvidence["histories"]) {
  const sequenceById = new Map<string, number>();
  const idByKey = new Map<string, string>();
  for (const [messageId, events] of histories) {
    for (const event of events) {
      sequenceById.set(event.id, event.sequence);
      idByKey.set(keyOfStored(messageId, event), event.id);
    }
  }
  return { sequenceById, idByKey };
}

/** The figures the sender alone knows: callbacks, errors, the rate achieved and the ack latencies. */
function trafficFigures(traffic: TrafficRun) {
  const acks = traffic.records.flatMap((record) =>
    record.attempts.filter((attempt) => attempt.status === 200).map((attempt) => attempt.latencyMs),
  );
  const acked = traffic.records.filter((record) => record.ackedAt !== undefined).length;
  const sendingSeconds = Math.max(0.001, (traffic.endedAt - traffic.startedAt) / 1000);
  return {
    callbacks: traffic.records.length,
    callbackErrors: traffic.records.length - acked,
    achievedRate: Math.round((acked / sendingSeconds) * 10) / 10,
    ackP50Ms: Math.round(percentile(acks, 50)),
    ackP99Ms: Math.round(percentile(acks, 99)),
    ackMaxMs: Math.round(percentile(acks, 100)),
    ackP99Per10sMs: ackP99PerWindow(traffic, 10_000),
  };
}

/** From each acknowledgement to its event's first delivery; and when the backlog (acked by `drainFrom`) was out. */
function lagFigures(
  ackedAt: ReadonlyMap<string, number>,
  idByKey: ReadonlyMap<string, string>,
  firsts: ReadonlyMap<string, DownstreamRequest>,
  drainFrom: number,
) {
  const lags: number[] = [];
  let lastBacklogDelivery = drainFrom;
  for (const [key, at] of ackedAt) {
    const delivered = firsts.get(idByKey.get(key) ?? "");
    if (!delivered) continue;
    lags.push(Math.max(0, delivered.receivedAt - at));
    if (at <= drainFrom) lastBacklogDelivery = Math.max(lastBacklogDelivery, delivered.receivedAt);
  }
  return {
    lagP50Ms: Math.round(percentile(lags, 50)),
    lagP99Ms: Math.round(percentile(lags, 99)),
    lagMaxMs: Math.round(percentile(lags, 100)),
    timeToDrainMs: lastBacklogDelivery - drainFrom,
  };
}

/** Computes the figures of a run. */
export function computeFigures(evidence: RunEvidence): ScenarioFigures {
  const { traffic, histories, requests } = evidence;
  const ackedAt = firstAcks(traffic);
  const { sequenceById, idByKey } = storedIndex(histories);
  const firsts = new Map(firstDeliveries(requests).map((request) => [request.event?.id ?? "", request]));
  const acceptedNotStored = [...ackedAt.keys()].filter((key) => !idByKey.has(key)).length;
  const lostStored = [...sequenceById.keys()].filter((id) => !firsts.has(id)).length;
  const { callbacks, callbackErrors, achievedRate, ...acks } = trafficFigures(traffic);
  return {
    scenario: evidence.scenario,
    measuredAt: new Date(evidence.measuredAt).toISOString(),
    callbacks,
    callbackErrors,
    achievedRate,
    accepted: ackedAt.size,
    stored: sequenceById.size,
    acceptedNotStored,
    deliveredDistinct: [...firsts.keys()].filter((id) => sequenceById.has(id)).length,
    lost: lostStored + acceptedNotStored,
    notDeliveredInHistory: [...histories.values()]
      .flat()
      .filter((e) => Object.values(e.forwarding).some((d) => d.state !== "delivered")).length,
    unexpected: [...firsts.keys()].filter((id) => !sequenceById.has(id)).length,
    duplicates: [...deliveryCounts(requests).values()].reduce((sum, count) => sum + count - 1, 0),
    idConflicts: countIdConflicts(histories, requests),
    sequenceMismatches: requests.filter((request) => {
      const known = sequenceById.get(request.event?.id ?? "");
      return known !== undefined && String(known) !== request.event?.sequence;
    }).length,
    outOfOrder: [...groupBySubject(requests).values()].reduce(
      (sum, group) => sum + outOfOrder(group).length,
      0,
    ),
    badSignatures: requests.filter((request) => request.signature !== "ok").length,
    ...acks,
    ...lagFigures(ackedAt, idByKey, firsts, evidence.drainFrom),
    downstreamRequests: requests.length,
    downstreamAnswers: countBy(requests, (request) => String(request.answered ?? "none")),
  };
}
