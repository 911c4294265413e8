/**
 * The callback body parser and Bandwidth's event schema: what is accepted (every event type, unknown types and
 * fields, the precisions and numbers real payloads carry) and how each class of invalid input is reported.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkEvent,
  MAX_EVENTS_PER_REQUEST,
  MAX_JSON_DEPTH,
  parseCallbackBody,
  readCallbackBody,
} from "../../src/bandwidth/parse.ts";
import type { EventEnvelope } from "../../src/bandwidth/schema.ts";
import { MAX_EVENT_BYTES, utf8Length } from "../../src/bandwidth/size.ts";
import { inboundEvent, statusEvent } from "../helpers/events.ts";

type Json = Record<string, unknown>;

/** A deep copy of an event as plain JSON, to edit freely. */
function plain(event: unknown): Json {
  return JSON.parse(JSON.stringify(event)) as Json;
}

function messageOf(event: Json): Json {
  return event.message as Json;
}

function parse(body: unknown): ReturnType<typeof parseCallbackBody> {
  return parseCallbackBody(JSON.stringify(body));
}

/** The issues of a rejected body; fails the test when the body was accepted. */
function issuesOf(body: unknown): Array<{ index: number; path: string; message: string }> {
  const result = parse(body);
  if (result.ok) throw new Error("expected the body to be rejected");
  return result.issues;
}

describe("accepted events", () => {
  it.each(["message-sending", "message-sent", "message-delivered", "message-read"])(
    "a %s status event is accepted",
    (type) => {
      const event = statusEvent(type, {
        extra: type === "message-read" ? { eventTime: "2024-09-14T18:21:00.000Z" } : {},
      });
      expect(parse([event])).toEqual({ ok: true, events: [event] });
    },
  );

  it("a message-failed event with its errorCode is accepted", () => {
    const event = statusEvent("message-failed", { errorCode: 4432, description: "forbidden to country" });
    expect(parse([event])).toEqual({ ok: true, events: [event] });
  });

  it.each([
    "message-received",
    "suggestion-response",
    "requested-location-response",
    "request-location-response",
    "location-request-response",
  ])("a %s inbound event is accepted", (type) => {
    const event = inboundEvent({
      type,
      extra: { carrierName: "RBM" },
    });
    const withRbmFields = plain(event);
    const message = messageOf(withRbmFields);
    message.channel = "RBM";
    message.suggestionResponse = { text: "Yes", postbackData: "yes" };
    message.locationResponse = { latitude: 40.7, longitude: -74 };
    expect(parse([withRbmFields])).toEqual({ ok: true, events: [withRbmFields] });
  });

  it("a bare event object (as Bandwidth's OpenAPI file shows) is accepted like a one-element array", () => {
    const event = statusEvent("message-delivered");
    expect(parse(event)).toEqual({ ok: true, events: [event] });
  });

  it("several events in one body are all returned in order", () => {
    const events = [statusEvent("message-sending"), statusEvent("message-sent"), inboundEvent()];
    expect(parse(events)).toEqual({ ok: true, events });
  });

  it.each(["out", "in"])("an unknown type with a valid envelope (direction %s) is accepted", (direction) => {
    const event = plain(statusEvent("message-foo"));
    messageOf(event).direction = direction;
    expect(parse([event])).toEqual({ ok: true, events: [event] });
  });

  it("unknown fields at the top level and in the message are kept in the output", () => {
    const event = plain(statusEvent("message-delivered", { extra: { newTopLevel: { nested: [1, "two"] } } }));
    messageOf(event).newMessageField = "kept";
    const result = parse([event]);
    expect(result.ok && result.events[0]).toMatchObject({
      newTopLevel: { nested: [1, "two"] },
      message: { newMessageField: "kept" },
    });
  });

  it.each([
    ["0", "2024-09-14T18:20:16Z"],
    ["3", "2024-09-14T18:20:16.123Z"],
    ["6", "2024-09-14T18:20:11.160744Z"],
    ["9", "2024-09-14T18:20:11.160744123Z"],
  ])("times with %s fractional digits are accepted in time, message.time and eventTime", (_, time) => {
    const event = plain(statusEvent("message-read", { time, extra: { eventTime: time } }));
    messageOf(event).time = time;
    expect(parse([event]).ok).toBe(true);
  });

  it("a time with a numeric offset instead of Z is accepted", () => {
    expect(parse([statusEvent("message-sent", { time: "2024-09-14T20:20:16.123+02:00" })]).ok).toBe(true);
  });

  it("non-E.164 numbers (short codes, alphanumeric sender ids, national numbers) are accepted", () => {
    const event = plain(statusEvent("message-failed", { to: "345757070", errorCode: 4432 }));
    const message = messageOf(event);
    message.to = ["345757070", "12345"];
    message.from = "BANDWIDTH";
    message.owner = "12345";
    expect(parse([event])).toEqual({ ok: true, events: [event] });
  });

  it("an owner different from the sender is accepted", () => {
    const event = plain(statusEvent("message-delivered"));
    messageOf(event).owner = "+15559990000";
    expect(parse([event]).ok).toBe(true);
  });

  it(`nesting of exactly ${MAX_JSON_DEPTH} levels is accepted`, () => {
    // array (1) > event (2) > 30 nested objects: 32 levels.
    let nested: Json = {};
    for (let level = 1; level < MAX_JSON_DEPTH - 2; level++) nested = { deeper: nested };
    const event = statusEvent("message-sent", { extra: { nested } });
    expect(parse([event]).ok).toBe(true);
  });
});

describe("rejected events", () => {
  it("a missing message field is reported at its path as required", () => {
    const event = plain(statusEvent("message-delivered"));
    delete messageOf(event).owner;
    expect(issuesOf([event])).toEqual([{ index: 0, path: "message.owner", message: "is required" }]);
  });

  it.each(["time", "to"])("a missing top-level %s is required", (field) => {
    const event = plain(statusEvent("message-delivered"));
    delete event[field];
    expect(issuesOf([event])).toEqual([{ index: 0, path: field, message: "is required" }]);
  });

  it("the index names the invalid event of a batch", () => {
    const bad = plain(statusEvent("message-delivered"));
    delete messageOf(bad).from;
    const issues = issuesOf([statusEvent("message-sent"), bad]);
    expect(issues).toEqual([{ index: 1, path: "message.from", message: "is required" }]);
  });

  it.each([
    ["message.segmentCount", (event: Json) => Object.assign(messageOf(event), { segmentCount: "1" })],
    ["message.segmentCount", (event: Json) => Object.assign(messageOf(event), { segmentCount: 1.5 })],
    ["message.segmentCount", (event: Json) => Object.assign(messageOf(event), { segmentCount: -1 })],
    ["message.to", (event: Json) => Object.assign(messageOf(event), { to: "+15554443333" })],
    ["message.to.1", (event: Json) => Object.assign(messageOf(event), { to: ["+15554443333", 5] })],
    [
      "message.media",
      (event: Json) => Object.assign(messageOf(event), { media: "https://example.com/a.jpg" }),
    ],
    ["errorCode", (event: Json) => Object.assign(event, { errorCode: 1.5 })],
    ["errorCode", (event: Json) => Object.assign(event, { errorCode: "4432" })],
    ["to", (event: Json) => Object.assign(event, { to: ["+15554443333"] })],
    ["description", (event: Json) => Object.assign(event, { description: null })],
    ["type", (event: Json) => Object.assign(event, { type: "message delivered" })],
  ])("a wrong type is reported at %s", (path, spoil) => {
    const event = plain(statusEvent("message-failed", { errorCode: 4432 }));
    spoil(event);
    const issues = issuesOf([event]);
    expect(issues.map((issue) => issue.path)).toEqual([path]);
    expect(issues[0]?.message).not.toBe("");
  });

  it("an event that is not an object is reported at the event itself", () => {
    expect(issuesOf([42])).toEqual([{ index: 0, path: "", message: "must be an object" }]);
  });

  it.each([
    ["a month 13", "2024-13-01T00:00:00Z"],
    ["no timezone", "2024-09-14T18:20:16"],
    ["a word", "yesterday"],
    ["a date only", "2024-09-14"],
    ["10 fractional digits", "2024-09-14T18:20:16.1234567890Z"],
  ])("a time with %s is rejected at its path", (_, time) => {
    const event = plain(statusEvent("message-read", { extra: { eventTime: time } }));
    event.time = time;
    messageOf(event).time = time;
    expect(issuesOf([event]).map((issue) => issue.path)).toEqual(["time", "message.time", "eventTime"]);
  });

  it("a direction outside in/out is rejected at message.direction", () => {
    const event = plain(statusEvent("message-delivered"));
    messageOf(event).direction = "sideways";
    expect(issuesOf([event]).map((issue) => issue.path)).toEqual(["message.direction"]);
  });

  it("a direction that does not match the type is carried, not refused (the type decides)", () => {
    const status = plain(statusEvent("message-delivered"));
    messageOf(status).direction = "in";
    const inbound = plain(inboundEvent());
    messageOf(inbound).direction = "out";
    expect(parse([status, inbound]).ok).toBe(true);
  });

  it.each([
    ["a new priority", { priority: "urgent" }],
    ["a priority of another type", { priority: 2 }],
    ["a new channel", { channel: "WHATSAPP" }],
    ["no segmentCount", { segmentCount: undefined }],
    ["no applicationId", { applicationId: undefined }],
  ])("%s is carried, not refused", (_, fields) => {
    const event = plain({ ...plain(statusEvent("message-sent")), description: undefined });
    Object.assign(messageOf(event), fields);
    const result = parse([event]);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.events[0]?.message.priority).toEqual(messageOf(plain(event)).priority);
  });

  it("a body that is not JSON is rejected without issues", () => {
    expect(parseCallbackBody('[{"type": "message-delivered",')).toEqual({
      ok: false,
      error: "body is not valid JSON",
      issues: [],
    });
  });

  it("an empty array is rejected", () => {
    expect(parseCallbackBody("[]")).toEqual({
      ok: false,
      error: "body must contain at least one event",
      issues: [],
    });
  });

  it(`more than ${MAX_EVENTS_PER_REQUEST} events are rejected`, () => {
    const event = statusEvent("message-sent");
    const result = parse(Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => event));
    expect(result).toEqual({
      ok: false,
      error: `body must contain at most ${MAX_EVENTS_PER_REQUEST} events`,
      issues: [],
    });
  });

  it(`nesting deeper than ${MAX_JSON_DEPTH} levels is rejected`, () => {
    let nested: Json = {};
    for (let level = 1; level < MAX_JSON_DEPTH - 1; level++) nested = { deeper: nested };
    const result = parse([statusEvent("message-sent", { extra: { nested } })]);
    expect(result).toEqual({
      ok: false,
      error: `body is nested deeper than ${MAX_JSON_DEPTH} levels`,
      issues: [],
    });
  });

  it("a pathologically deep body is rejected without exhausting the stack", () => {
    const result = parseCallbackBody(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(result.ok).toBe(false);
  });
});

describe("the envelope: without it an event cannot be stored anywhere", () => {
  it.each([
    ["message.id", (event: Json) => Object.assign(messageOf(event), { id: "" })],
    ["message.id", (event: Json) => Object.assign(messageOf(event), { id: "x".repeat(257) })],
    ["message.id", (event: Json) => Object.assign(messageOf(event), { id: 7 })],
    ["message", (event: Json) => Object.assign(event, { message: "msg" })],
    ["type", (event: Json) => Object.assign(event, { type: "" })],
    ["type", (event: Json) => Object.assign(event, { type: 3 })],
  ])("a request with an event without a usable %s is refused whole", (path, spoil) => {
    const event = plain(statusEvent("message-sent"));
    spoil(event);
    const result = readCallbackBody(JSON.stringify([statusEvent("message-sent"), event]));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toBe("event without a usable envelope");
      expect(result.issues.map((issue) => [issue.index, issue.path])).toEqual([[1, path]]);
    }
  });

  it("an event with an envelope but otherwise invalid is read as invalid, with its issues, beside the valid ones", () => {
    const bad = plain(statusEvent("message-sent"));
    messageOf(bad).segmentCount = "one";
    const result = readCallbackBody(JSON.stringify([statusEvent("message-sending"), bad]));
    expect(result.ok && result.events.map((checked) => checked.valid)).toEqual([true, false]);
    if (result.ok && !result.events[1]?.valid) {
      expect(result.events[1]?.issues).toEqual([
        { path: "message.segmentCount", message: "must be a number" },
      ]);
    }
  });

  it(`an event over ${MAX_EVENT_BYTES} bytes is invalid as too large, its size counted in UTF-8`, () => {
    const fits = plain(statusEvent("message-sent"));
    const padding = MAX_EVENT_BYTES - utf8Length(JSON.stringify({ ...fits, description: "" }));
    fits.description = "é".repeat(Math.floor(padding / 2));
    expect(checkEvent(fits as EventEnvelope).valid).toBe(true);
    const over = { ...fits, description: `${fits.description as string}éé` };
    const checked = checkEvent(over as unknown as EventEnvelope);
    expect(checked.valid).toBe(false);
    if (!checked.valid)
      expect(checked.issues[0]?.message).toMatch(/^too large: \d+ bytes, at most 65536 per event$/);
  });

  it("counts UTF-8 bytes like TextEncoder, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
    );
  });
});

describe("issues never echo submitted values", () => {
  const PHONE = "+15551234567";
  const TEXT = "secret text";

  function serializedResult(body: string): string {
    const result = parseCallbackBody(body);
    expect(result.ok).toBe(false);
    return JSON.stringify(result);
  }

  it("phone numbers and text put in the wrong places appear nowhere in the issues", () => {
    const event = plain(statusEvent("message-failed", { errorCode: 4432 }));
    Object.assign(event, { errorCode: PHONE, time: TEXT, type: TEXT, to: [PHONE], description: [TEXT] });
    Object.assign(messageOf(event), {
      segmentCount: PHONE,
      to: PHONE,
      from: [PHONE],
      owner: 15551234567,
      direction: TEXT,
      priority: PHONE,
      media: TEXT,
      text: [TEXT],
      time: PHONE,
      id: [PHONE],
    });
    const serialized = serializedResult(JSON.stringify([event]));
    expect(serialized).not.toContain("5551234567");
    expect(serialized).not.toContain(TEXT);
  });

  it("a body that is not JSON does not quote itself", () => {
    const serialized = serializedResult(`[{"to": "${PHONE}", "text": "${TEXT}"`);
    expect(serialized).not.toContain("5551234567");
    expect(serialized).not.toContain(TEXT);
  });

  it("an event that is a bare string is not quoted", () => {
    expect(serializedResult(JSON.stringify([PHONE, TEXT]))).not.toMatch(/5551234567|secret text/);
  });

  it("any value in any field of a status event is absent from the issues", () => {
    const fields = [
      "type",
      "time",
      "to",
      "description",
      "errorCode",
      "eventTime",
      "message.id",
      "message.owner",
      "message.applicationId",
      "message.time",
      "message.segmentCount",
      "message.direction",
      "message.to",
      "message.from",
      "message.text",
      "message.media",
      "message.priority",
    ];
    const secret = fc.stringMatching(/^[A-Za-z0-9 +]{8,20}$/).map((value) => `Zq${value}`);
    const shape = fc.constantFrom("bare", "array", "object");
    let rejected = 0;
    fc.assert(
      fc.property(fc.constantFrom(...fields), secret, shape, (field, value, form) => {
        const misplaced = form === "bare" ? value : form === "array" ? [value, 7] : { value };
        const event = plain(statusEvent("message-read", { extra: { eventTime: "2024-09-14T18:21:00Z" } }));
        const [head, tail] = field.split(".") as [string, string | undefined];
        if (tail === undefined) event[head] = misplaced;
        else messageOf(event)[tail] = misplaced;
        const result = parseCallbackBody(JSON.stringify([event]));
        if (result.ok) return true;
        rejected++;
        return !JSON.stringify(result).includes(value);
      }),
      { numRuns: 1000 },
    );
    // Most misplaced values are invalid: the property above is not vacuously true.
    expect(rejected).toBeGreaterThan(500);
  });
});
