/**
 * The mass dead-lettering scenario's figures (issue #15), from what it observed: the requests of each kind, when
 * they were slow, how the last listing compares with the events sent (dead-letter-listing.ts), and its targets:
 * every event listed, no request over 1 s, no errors. bench/dead-letter-scenario.ts runs it. Pure.
 */
import { type ListedDeadLetter, matchListing } from "./dead-letter-listing.ts";
import { summarize } from "./percentiles.ts";
import type { TargetCheck } from "./report.ts";

/** No request of the scenario may take longer than this (issue #15). */
export const MAX_REQUEST_TARGET_MS = 1000;

/** One request the scenario made, as timed by its client. */
export interface TimedRequest {
  kind: "ingest" | "list";
  /** When it started, in ms from the scenario's first callback. */
  startMs: number;
  /** From sending it until its whole answer was read (or until it failed). */
  ms: number;
  /** The HTTP status, or 0 for a socket error or a timeout. */
  status: number;
  /** A listing made once the run had settled (everything listed, the ingest over), with nothing else in flight. */
  quiet?: true;
}

/** Latency figures of a kind of request, nearest-rank. */
export interface RequestFigures {
  requests: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Non-2xx answers, socket errors and timeouts. */
  errors: number;
}

/** The requests started in one window of the run. */
export interface TimelineWindow {
  /** The window's start, in seconds from the first callback. */
  fromS: number;
  ingest: number;
  ingestMaxMs: number | null;
  list: number;
  listMaxMs: number | null;
}

/** The width of a {@link TimelineWindow}. */
export const TIMELINE_WINDOW_MS = 10_000;

/** The scenario's result. */
export interface DeadLetterFigures {
  params: { events: number; concurrency: number; drainTimeoutS: number; pollIntervalMs: number };
  /** Callbacks sent, one event each (one message each). */
  events: number;
  /** Events the receiver accepted (the sum of its `accepted` answers); `duplicates` likewise. */
  accepted: number;
  duplicates: number;
  /** Forward attempts the always-refusing downstream received (one per event when a 4xx kills at once). */
  forwardAttempts: number;
  /** Events sent that the last complete listing had, and those it lacked (with a sample). */
  listed: number;
  missing: number;
  missingSample: string[];
  /** Listed entries that match no event sent (should be 0: the receiver is fresh). */
  unexpected: number;
  /** The list's `total` in its last complete listing. */
  listTotal: number;
  /** From the first callback sent until a complete listing had every event; null when none did. */
  allListedMs: number | null;
  /** From the first callback sent until the last one was answered. */
  ingestMs: number;
  ingest: RequestFigures;
  list: RequestFigures & { passes: number };
  /**
   * The list requests made once the run had settled, one at a time with nothing else in flight: what reading
   * the whole list costs by itself (they are in `list` too).
   */
  quietList: RequestFigures;
  /** The 1-minute load average of the machine when the run started and when it ended (others' work counts). */
  loadAverage: { atStart: number; atEnd: number };
  /** The slowest request of either kind. */
  maxRequestMs: number | null;
  /** The slowest requests, slowest first, for reading what was slow and when. */
  slowest: TimedRequest[];
  /** The run in windows of {@link TIMELINE_WINDOW_MS}: when requests were slow, and whether both kinds were. */
  timeline: TimelineWindow[];
  /** `ingest.errors + list.errors`. */
  errors: number;
}

/** What the scenario observed, before it is summarized. */
export interface DeadLetterObservations {
  params: DeadLetterFigures["params"];
  sent: readonly string[];
  accepted: number;
  duplicates: number;
  forwardAttempts: number;
  requests: readonly TimedRequest[];
  /** The entries of the last complete listing and its `total`. */
  lastListing: { items: readonly Pick<ListedDeadLetter, "messageId" | "type">[]; total: number };
  passes: number;
  allListedMs: number | null;
  loadAverage: DeadLetterFigures["loadAverage"];
}

function isError(request: TimedRequest): boolean {
  return request.status < 200 || request.status >= 300;
}

/** The figures of one kind of request. */
export function requestFigures(requests: readonly TimedRequest[]): RequestFigures {
  const summary = summarize(requests.map((request) => request.ms));
  return {
    requests: summary.count,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    maxMs: summary.max,
    errors: requests.filter(isError).length,
  };
}

/** The requests by the window they started in, in time order; windows without requests are left out. */
export function timeline(requests: readonly TimedRequest[], windowMs = TIMELINE_WINDOW_MS): TimelineWindow[] {
  const windows = new Map<number, TimelineWindow>();
  const slowest = (max: number | null, ms: number) => (max === null ? ms : Math.max(max, ms));
  for (const request of requests) {
    const index = Math.floor(request.startMs / windowMs);
    const fromS = (index * windowMs) / 1000;
    const window = windows.get(index) ?? { fromS, ingest: 0, ingestMaxMs: null, list: 0, listMaxMs: null };
    if (request.kind === "ingest") {
      window.ingest++;
      window.ingestMaxMs = slowest(window.ingestMaxMs, request.ms);
    } else {
      window.list++;
      window.listMaxMs = slowest(window.listMaxMs, request.ms);
    }
    windows.set(index, window);
  }
  return [...windows].sort(([a], [b]) => a - b).map(([, window]) => window);
}

/** Summarizes what the scenario observed into its figures. */
export function deadLetterFigures(observed: DeadLetterObservations): DeadLetterFigures {
  const ingestRequests = observed.requests.filter((request) => request.kind === "ingest");
  const ingest = requestFigures(ingestRequests);
  const list = requestFigures(observed.requests.filter((request) => request.kind === "list"));
  const match = matchListing(observed.sent, observed.lastListing.items);
  const ends = ingestRequests.map((request) => request.startMs + request.ms);
  return {
    params: observed.params,
    events: observed.sent.length,
    accepted: observed.accepted,
    duplicates: observed.duplicates,
    forwardAttempts: observed.forwardAttempts,
    ...match,
    listTotal: observed.lastListing.total,
    allListedMs: observed.allListedMs,
    ingestMs: Math.round(ends.length > 0 ? Math.max(...ends) : 0),
    ingest,
    list: { ...list, passes: observed.passes },
    quietList: requestFigures(
      observed.requests.filter((request) => request.kind === "list" && request.quiet),
    ),
    loadAverage: observed.loadAverage,
    maxRequestMs: summarize(observed.requests.map((request) => request.ms)).max,
    slowest: [...observed.requests].sort((a, b) => b.ms - a.ms).slice(0, 5),
    timeline: timeline(observed.requests),
    errors: ingest.errors + list.errors,
  };
}

/** The targets of issue #15: every event listed, no request over 1 s, no errors. */
export function deadLetterTargets(figures: DeadLetterFigures): TargetCheck[] {
  const max = figures.maxRequestMs;
  return [
    {
      name: "deadLetters.listed",
      value: figures.listed,
      target: `= ${figures.events}`,
      ok: figures.events > 0 && figures.listed === figures.events,
    },
    {
      name: "deadLetters.maxRequestMs",
      value: max,
      target: `<= ${MAX_REQUEST_TARGET_MS}`,
      ok: max !== null && max <= MAX_REQUEST_TARGET_MS,
    },
    { name: "deadLetters.errors", value: figures.errors, target: "= 0", ok: figures.errors === 0 },
  ];
}
