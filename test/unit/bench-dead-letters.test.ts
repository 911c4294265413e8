/**
 * The mass dead-lettering scenario's pure parts: matching the listing against the events sent
 * (bench/lib/dead-letter-listing.ts), the figures, their timeline and the targets of issue #15
 * (bench/lib/dead-letters.ts).
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import {
  DEAD_LETTER_PAGE_LIMIT,
  DeadLetterListPageSchema,
  deadLetterKey,
  matchListing,
} from "../../bench/lib/dead-letter-listing.ts";
import {
  type DeadLetterObservations,
  deadLetterFigures,
  deadLetterTargets,
  requestFigures,
  type TimedRequest,
  timeline,
} from "../../bench/lib/dead-letters.ts";
import { MAX_DEAD_LETTER_PAGE } from "../../src/http/dead-letters.ts";

const item = (messageId: string, type = "message-sending") => ({ messageId, type });
const request = (kind: TimedRequest["kind"], ms: number, status = 200, startMs = 0): TimedRequest => ({
  kind,
  startMs,
  ms,
  status,
});

function observations(overrides: Partial<DeadLetterObservations> = {}): DeadLetterObservations {
  const sent = ["m1", "m2", "m3"].map((id) => deadLetterKey(id, "message-sending"));
  return {
    params: { events: 3, concurrency: 2, drainTimeoutS: 10, pollIntervalMs: 100 },
    sent,
    accepted: 3,
    duplicates: 0,
    forwardAttempts: 3,
    requests: [request("ingest", 40, 200, 0), request("ingest", 60, 200, 5), request("list", 30, 200, 70)],
    lastListing: { items: [item("m1"), item("m2"), item("m3")], total: 3 },
    passes: 1,
    allListedMs: 100,
    loadAverage: { atStart: 0.5, atEnd: 1.5 },
    ...overrides,
  };
}

describe("matchListing", () => {
  it("counts every event sent that the listing has, whatever its order", () => {
    const sent = ["a", "b"].map((id) => deadLetterKey(id, "message-failed"));
    const match = matchListing(sent, [item("b", "message-failed"), item("a", "message-failed")]);
    expect(match).toEqual({ listed: 2, missing: 0, missingSample: [], unexpected: 0 });
  });

  it("reports the events missing from the listing, with a bounded sample in the order sent", () => {
    const sent = ["a", "b", "c", "d"].map((id) => deadLetterKey(id, "message-sending"));
    const match = matchListing(sent, [item("c")], 2);
    expect(match.listed).toBe(1);
    expect(match.missing).toBe(3);
    expect(match.missingSample).toEqual([
      deadLetterKey("a", "message-sending"),
      deadLetterKey("b", "message-sending"),
    ]);
  });

  it("does not count an entry of the same message but another type as the event sent", () => {
    const match = matchListing([deadLetterKey("a", "message-sending")], [item("a", "message-delivered")]);
    expect(match).toMatchObject({ listed: 0, missing: 1, unexpected: 1 });
  });

  it("counts an entry listed twice (two destinations) once, and entries of other messages as unexpected", () => {
    const match = matchListing([deadLetterKey("a", "message-sending")], [item("a"), item("a"), item("z")]);
    expect(match).toMatchObject({ listed: 1, missing: 0, unexpected: 1 });
  });
});

describe("requestFigures", () => {
  it("takes nearest-rank percentiles and counts non-2xx answers and socket errors as errors", () => {
    const figures = requestFigures([
      request("ingest", 10),
      request("ingest", 20, 503),
      request("ingest", 30, 0),
      request("ingest", 40),
    ]);
    expect(figures).toEqual({ requests: 4, p50Ms: 20, p99Ms: 40, maxMs: 40, errors: 2 });
  });

  it("gives null latencies and no errors for no requests", () => {
    expect(requestFigures([])).toEqual({ requests: 0, p50Ms: null, p99Ms: null, maxMs: null, errors: 0 });
  });
});

describe("timeline", () => {
  it("puts each request in the window it started in, keeping each kind's slowest", () => {
    const windows = timeline(
      [
        request("ingest", 40, 200, 12_500),
        request("list", 700, 200, 10_000),
        request("ingest", 90, 200, 19_999),
        request("ingest", 30, 200, 500),
      ],
      10_000,
    );
    expect(windows).toEqual([
      { fromS: 0, ingest: 1, ingestMaxMs: 30, list: 0, listMaxMs: null },
      { fromS: 10, ingest: 2, ingestMaxMs: 90, list: 1, listMaxMs: 700 },
    ]);
  });

  it("leaves out windows in which no request started", () => {
    const windows = timeline([request("list", 5, 200, 0), request("list", 7, 200, 25_000)], 10_000);
    expect(windows.map((window) => window.fromS)).toEqual([0, 20]);
  });
});

describe("deadLetterFigures", () => {
  it("splits the requests by kind and keeps the slowest of either as the maximum", () => {
    const figures = deadLetterFigures(
      observations({
        requests: [request("ingest", 40), request("list", 900, 200, 50), request("ingest", 60)],
      }),
    );
    expect(figures.ingest).toMatchObject({ requests: 2, maxMs: 60 });
    expect(figures.list).toMatchObject({ requests: 1, maxMs: 900, passes: 1 });
    expect(figures.maxRequestMs).toBe(900);
    expect(figures.slowest.map((r) => r.ms)).toEqual([900, 60, 40]);
  });

  it("keeps the quiet listings apart, while counting them with the other list requests", () => {
    const quiet = { ...request("list", 80, 200, 9_000), quiet: true as const };
    const figures = deadLetterFigures(
      observations({ requests: [request("ingest", 40), request("list", 600), quiet] }),
    );
    expect(figures.quietList).toMatchObject({ requests: 1, maxMs: 80 });
    expect(figures.list).toMatchObject({ requests: 2, maxMs: 600 });
  });

  it("dates the end of the ingest by the last callback answered, not the last one started", () => {
    const figures = deadLetterFigures(
      observations({ requests: [request("ingest", 500, 200, 10), request("ingest", 20, 200, 300)] }),
    );
    expect(figures.ingestMs).toBe(510);
  });

  it("adds the errors of both kinds", () => {
    const figures = deadLetterFigures(
      observations({ requests: [request("ingest", 40, 500), request("list", 30, 0), request("list", 30)] }),
    );
    expect(figures.errors).toBe(2);
  });

  it("reports what the last listing lacked", () => {
    const figures = deadLetterFigures(
      observations({ lastListing: { items: [item("m2")], total: 1 }, allListedMs: null }),
    );
    expect(figures).toMatchObject({ events: 3, listed: 1, missing: 2, listTotal: 1, allListedMs: null });
    expect(figures.missingSample).toEqual([
      deadLetterKey("m1", "message-sending"),
      deadLetterKey("m3", "message-sending"),
    ]);
  });
});

describe("deadLetterTargets", () => {
  const byName = (figures: ReturnType<typeof deadLetterFigures>) =>
    Object.fromEntries(deadLetterTargets(figures).map((target) => [target.name, target]));

  it("passes a run that listed every event, without errors and without a request over 1 s", () => {
    const targets = deadLetterTargets(deadLetterFigures(observations()));
    expect(targets.map((target) => [target.name, target.ok])).toEqual([
      ["deadLetters.listed", true],
      ["deadLetters.maxRequestMs", true],
      ["deadLetters.errors", true],
    ]);
  });

  it("fails when one event is not listed", () => {
    const figures = deadLetterFigures(
      observations({ lastListing: { items: [item("m1"), item("m2")], total: 2 } }),
    );
    expect(byName(figures)["deadLetters.listed"]).toMatchObject({ value: 2, target: "= 3", ok: false });
  });

  it("allows a request of exactly 1 s and fails one over it", () => {
    const at = (ms: number) => byName(deadLetterFigures(observations({ requests: [request("list", ms)] })));
    expect(at(1000)["deadLetters.maxRequestMs"]?.ok).toBe(true);
    expect(at(1001)["deadLetters.maxRequestMs"]).toMatchObject({ value: 1001, ok: false });
  });

  it("fails on one error, and fails a run that sent nothing or made no request", () => {
    const erred = deadLetterFigures(observations({ requests: [request("ingest", 40, 503)] }));
    expect(byName(erred)["deadLetters.errors"]).toMatchObject({ value: 1, ok: false });
    const empty = deadLetterFigures(
      observations({ sent: [], requests: [], lastListing: { items: [], total: 0 }, accepted: 0 }),
    );
    expect(byName(empty)["deadLetters.listed"]?.ok).toBe(false);
    expect(byName(empty)["deadLetters.maxRequestMs"]?.ok).toBe(false);
  });
});

describe("the list page", () => {
  it("asks for the route's largest page", () => {
    expect(DEAD_LETTER_PAGE_LIMIT).toBe(MAX_DEAD_LETTER_PAGE);
  });

  it("reads a page of the route's shape, keeping its cursor", () => {
    const page = v.parse(DeadLetterListPageSchema, {
      items: [
        {
          eventId: "e1",
          destination: "default",
          messageId: "m1",
          sequence: 1,
          type: "message-sending",
          attempts: 1,
          lastError: "HTTP 400",
          deadAt: "2026-11-30T10:00:00.000Z",
        },
      ],
      total: 5000,
      nextCursor: "abc",
    });
    expect(page.items[0]).toMatchObject({ messageId: "m1", type: "message-sending" });
    expect(page.nextCursor).toBe("abc");
  });
});
