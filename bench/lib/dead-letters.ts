/**
 * The mass dead-lettering scenario's pure parts (issue #15): the shape of a `GET /dead-letters` page as the
 * bench reads it, matching the listed entries against the events sent, the scenario's figures and its targets
 * (every event listed, no request over 1 s, no errors). bench/dead-letter-scenario.ts runs it.
 */
import * as v from "valibot";
import { summarize } from "./percentiles.ts";
import type { TargetCheck } from "./report.ts";

/** The most entries `GET /dead-letters` returns per page (src/http/dead-letters.ts MAX_DEAD_LETTER_PAGE). */
export const DEAD_LETTER_PAGE_LIMIT = 1000;
/** No request of the scenario may take longer than this (issue #15). */
export const MAX_REQUEST_TARGET_MS = 1000;

/** One entry of a `GET /dead-letters` page: the fields the bench matches on (the answer has more). */
export const ListedDeadLetterSchema = v.looseObject({
  eventId: v.string(),
  destination: v.string(),
  messageId: v.string(),
  type: v.string(),
});

/** One page of `GET /dead-letters`; `nextCursor` is absent on the last page. */
export const DeadLetterListPageSchema = v.looseObject({
  items: v.array(ListedDeadLetterSchema),
  total: v.number(),
  nextCursor: v.optional(v.string()),
});

export type ListedDeadLetter = v.InferOutput<typeof ListedDeadLetterSchema>;
export type DeadLetterListPage = v.InferOutput<typeof DeadLetterListPageSchema>;

/**
 * Identifies a dead event by its message id and Bandwidth type: the scenario sends one event per message, so
 * the pair is unique without knowing the receiver's event ids.
 */
export function deadLetterKey(messageId: string, type: string): string {
  return `${messageId} ${type}`;
}

/** How a listing compares with the events sent. */
export interface ListingMatch {
  /** Events sent that the listing has. */
  listed: number;
  /** Events sent that it lacks. */
  missing: number;
  /** A few missing keys, in the order they were sent. */
  missingSample: string[];
  /** Entries that match no event sent (another destination's, or not this run's). */
  unexpected: number;
}

/** Compares the entries listed with the keys ({@link deadLetterKey}) of the events sent; `sample` bounds the sample. */
export function matchListing(
  sent: readonly string[],
  items: readonly Pick<ListedDeadLetter, "messageId" | "type">[],
  sample = 5,
): ListingMatch {
  const seen = new Set(items.map((item) => deadLetterKey(item.messageId, item.type)));
  const expected = new Set(sent);
  const missingKeys = [...expected].filter((key) => !seen.has(key));
  const unexpected = [...seen].filter((key) => !expected.has(key)).length;
  return {
    listed: expected.size - missingKeys.length,
    missing: missingKeys.length,
    missingSample: missingKeys.slice(0, sample),
    unexpected,
  };
}

/** One request the scenario made, as timed by its client. */
export interface TimedRequest {
  kind: "ingest" | "list";
  /** When it started, in ms from the scenario's first callback. */
  startMs: number;
  /** From sending it until its whole answer was read (or until it failed). */
  ms: number;
  /** The HTTP status, or 0 for a socket error or a timeout. */
  status: number;
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
  /** The slowest request of either kind. */
  maxRequestMs: number | null;
  /** The slowest requests, slowest first, for reading what was slow and when. */
  slowest: TimedRequest[];
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
    maxRequestMs: summarize(observed.requests.map((request) => request.ms)).max,
    slowest: [...observed.requests].sort((a, b) => b.ms - a.ms).slice(0, 5),
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
