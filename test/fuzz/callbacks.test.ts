/**
 * Fuzzing POST /callbacks/messaging through the real Worker: more than 10,000 callbacks generated from valid
 * events (Bandwidth's official examples and the builders) by mutations whose effect on validity is known by
 * construction, plus malformed bodies, wrong content types and oversized bodies. Never a 5xx; every callback
 * without a usable envelope a 4xx with a JSON error that echoes nothing and stores and forwards nothing; every
 * other invalid event held in quarantine (200, named, never stored as an event, never forwarded); every valid
 * one a 200, stored once and forwarded once.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_EVENTS_PER_REQUEST } from "../../src/bandwidth/parse.ts";
import { checkAsyncProperty, FUZZ_MINIMUM_REQUESTS, recordFigure } from "../generators/figures.ts";
import { defineKey, streamOf, toJsonText } from "../generators/json-text.ts";
import { copyOf, type Doc } from "../generators/seeds.ts";
import { BODY_LIMIT_BYTES, type Expectation, FuzzBooks } from "./fuzz-run.ts";
import {
  bodyOf,
  byteLength,
  callback,
  expectationFor,
  rejectedRequestArb,
  relabel,
  seeds,
  validRequestArb,
} from "./requests.ts";

const totals = { requests: 0 };
let restoreConsole: () => void = () => {};

beforeAll(() => {
  // Thousands of requests: the Worker's JSON log lines are checked in test/integration/security-logs.test.ts.
  const spies = (["log", "warn", "error"] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation(() => {}),
  );
  restoreConsole = () => {
    for (const spy of spies) spy.mockRestore();
  };
});
afterAll(() => restoreConsole());

async function fuzz<T>(
  task: Parameters<typeof recordFigure>[0],
  arbitrary: fc.Arbitrary<T>,
  numRuns: number,
  send: (books: FuzzBooks, input: T) => Promise<void>,
): Promise<FuzzBooks> {
  const books = new FuzzBooks();
  let runs = 0;
  try {
    runs = await checkAsyncProperty(
      fc.asyncProperty(arbitrary, (input) => send(books, input)),
      { numRuns, endOnFailure: true },
    );
  } catch (failure) {
    // Whatever a failing case stored must drain, or its alarms outlive the test and stall the run.
    await books.settleEverything();
    throw failure;
  }
  await books.expectStoredAndForwarded();
  totals.requests += books.requests;
  recordFigure(task, {
    kind: "fuzz",
    runs,
    requests: books.requests,
    events: books.events,
    outcomes: books.outcomes,
  });
  expect(books.requests).toBeGreaterThanOrEqual(numRuns);
  return books;
}

describe("fuzzing POST /callbacks/messaging", { timeout: 180_000 }, () => {
  it("answers every valid mutant 200, stores each of its events once and forwards it", async ({ task }) => {
    const books = await fuzz(task, validRequestArb, 2_600, async (books, request) => {
      const events = request.events.map(({ event }) => event);
      const sent = callback(bodyOf(events, request.bare), request.layout, request.contentType);
      await books.send(sent, expectationFor(sent, { status: 200 }));
    });
    expect(books.accepted + books.duplicates).toBeGreaterThan(0);
  });

  it("holds every invalid mutant in quarantine (200) or, without an envelope, answers 400, naming the event and field; it is never stored as an event or forwarded", async ({
    task,
  }) => {
    await fuzz(task, rejectedRequestArb, 6_400, async (books, request) => {
      const index = Math.min(request.position, request.others.length);
      const events = request.others.map(({ event }) => event);
      events.splice(index, 0, request.bad.event);
      const sent = callback(bodyOf(events, request.bare), request.layout, request.contentType);
      const path = request.bad.invalid ?? "";
      const expected: Expectation =
        path === "body"
          ? { status: 400 }
          : request.bad.reject
            ? { status: 400, index, path }
            : { status: 200, quarantined: { index, path } };
      await books.send(sent, expectationFor(sent, expected));
    });
  });

  it("answers truncated JSON, text that is not JSON and empty bodies 400", async ({ task }) => {
    const truncatedArb = fc
      .record({
        request: validRequestArb,
        cut: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      })
      .map(({ request, cut }) => {
        const events = request.events.map(({ event }) => relabel(event));
        const whole = toJsonText(bodyOf(events, request.bare), request.layout);
        return { text: whole.slice(0, Math.floor(cut * whole.length)), documents: events };
      });
    const garbageArb = fc
      .oneof(
        fc.constantFrom(
          "",
          " ",
          "\n",
          "\t\r\n",
          "[",
          "{",
          "]",
          "[{]",
          "{'a': 1}",
          "[1,]",
          "NaN",
          "undefined",
        ),
        fc.string({ maxLength: 200 }),
        fc.string({ unit: "binary", maxLength: 200 }),
      )
      .filter((text) => !isJson(text));
    const arbitrary = fc.oneof(
      { weight: 2, arbitrary: truncatedArb },
      { weight: 1, arbitrary: garbageArb.map((text) => ({ text, documents: undefined })) },
    );
    await fuzz(task, arbitrary, 1_200, async (books, { text, documents }) => {
      // A strict prefix of a JSON array or object is never JSON.
      expect(isJson(text)).toBe(false);
      const sent = { body: text, contentType: "application/json", documents };
      await books.send(sent, expectationFor(sent, { status: 400 }));
    });
  });

  it("answers JSON that holds no event, and bytes that are not UTF-8, 400", async ({ task }) => {
    // No event can lack `message`, so any JSON without that key is invalid whatever else it holds.
    const notAnEventArb = fc
      .oneof(fc.jsonValue({ maxDepth: 4 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }))
      .filter((value) => !JSON.stringify(value).includes('"message"'));
    const arbitrary = fc.oneof(
      notAnEventArb.map((value) => ({
        body: JSON.stringify(value) as string | Uint8Array,
        documents: value,
      })),
      fc
        .uint8Array({ maxLength: 300 })
        .map((bytes) => ({ body: bytes as string | Uint8Array, documents: undefined })),
    );
    await fuzz(task, arbitrary, 600, async (books, { body, documents }) => {
      await books.send({ body, contentType: "application/json", documents }, { status: 400 });
    });
  });

  it("answers a content type other than application/json 415, whatever the body", async ({ task }) => {
    const contentTypeArb = fc.oneof(
      fc.constantFrom(
        "text/plain",
        "text/plain; charset=utf-8",
        "",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/html",
        "application/xml",
        "application/octet-stream",
        "*/*",
        "application/*",
      ),
      fc.string({ maxLength: 40 }).filter((type) => !/json/i.test(type) && isHeaderValue(type)),
    );
    const arbitrary = fc.record({
      request: validRequestArb,
      contentType: fc.option(contentTypeArb, { freq: 10, nil: undefined }),
    });
    await fuzz(task, arbitrary, 500, async (books, { request, contentType }) => {
      const events = request.events.map(({ event }) => relabel(event));
      const text = toJsonText(bodyOf(events, request.bare), request.layout);
      // Without a content-type header and with a byte body, fetch adds no content type of its own.
      const body = contentType === undefined ? new TextEncoder().encode(text) : text;
      await books.send({ body, contentType, documents: events }, { status: 415 });
    });
  });

  it("answers bodies over 1 MiB 413, with or without a content length", async ({ task }) => {
    const arbitrary = fc.record({
      request: validRequestArb,
      excess: fc.integer({ min: 1, max: BODY_LIMIT_BYTES / 2 }),
      // A streamed body has no content length; workerd logs the unread rest of it as an aborted pipe.
      streamed: fc.oneof(
        { weight: 5, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
    });
    await fuzz(task, arbitrary, 24, async (books, { request, excess, streamed }) => {
      const events = request.events.map(({ event }) => relabel(event));
      const first = events[0] as Doc;
      defineKey(first, "padding", "");
      const shortBy = BODY_LIMIT_BYTES - byteLength(toJsonText(events, request.layout));
      defineKey(first, "padding", "p".repeat(Math.max(shortBy, 0) + excess));
      const text = toJsonText(events, request.layout);
      expect(byteLength(text)).toBeGreaterThan(BODY_LIMIT_BYTES);
      const body = streamed ? streamOf(text) : text;
      await books.send({ body, contentType: "application/json", documents: events }, { status: 413 });
    });
  });

  it("answers more events than one request may hold and nesting past the limit 400", async ({ task }) => {
    const arbitrary = fc.oneof(
      fc.record({ count: fc.integer({ min: MAX_EVENTS_PER_REQUEST + 1, max: MAX_EVENTS_PER_REQUEST + 20 }) }),
      fc.record({ depth: fc.integer({ min: 33, max: 100_000 }) }),
    );
    await fuzz(task, arbitrary, 60, async (books, input) => {
      if ("count" in input) {
        const events = Array.from({ length: input.count }, (_, index) =>
          relabel(copyOf(seeds[index % seeds.length] as Doc)),
        );
        await books.send(callback(events, { gap: "", keySeed: 0 }, "application/json"), { status: 400 });
      } else {
        const body = `${"[".repeat(input.depth)}${"]".repeat(input.depth)}`;
        await books.send({ body, contentType: "application/json", documents: undefined }, { status: 400 });
      }
    });
  });

  it(`sent at least ${FUZZ_MINIMUM_REQUESTS} callbacks in all`, () => {
    expect(totals.requests).toBeGreaterThanOrEqual(FUZZ_MINIMUM_REQUESTS);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isHeaderValue(value: string): boolean {
  return /^[\t\x20-\x7e]*$/.test(value) && value.trim() === value;
}
