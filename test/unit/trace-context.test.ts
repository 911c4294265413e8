/**
 * W3C trace context: strict version-00 parsing of a callback's `traceparent`, new ids, `traceparent` values, and
 * the trace derived for records stored before events had one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  acceptanceTrace,
  derivedTrace,
  formatTraceparent,
  parseTraceparent,
  randomHexId,
  traceOf,
} from "../../src/message/trace-context.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT_ID = "00f067aa0ba902b7";
const VALID = `00-${TRACE_ID}-${PARENT_ID}-01`;

describe("parseTraceparent", () => {
  it("reads a valid version-00 header (W3C's own example)", () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: TRACE_ID, parentId: PARENT_ID, flags: "01" });
  });

  it("keeps flags other than sampled (00: not sampled)", () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${PARENT_ID}-00`)?.flags).toBe("00");
  });

  it.each([
    ["absent", undefined],
    ["null", null],
    ["empty", ""],
    ["another version", `01-${TRACE_ID}-${PARENT_ID}-01`],
    ["the forbidden version ff", `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${PARENT_ID}-01`],
    ["an all-zero parent id", `00-${TRACE_ID}-${"0".repeat(16)}-01`],
    ["upper-case hex", `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`],
    ["a short trace id", `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ["a long parent id", `00-${TRACE_ID}-${PARENT_ID}0-01`],
    ["a non-hex flag", `00-${TRACE_ID}-${PARENT_ID}-0x`],
    ["a version-00 value with more fields", `${VALID}-extra`],
    ["a non-hex trace id", `00-${TRACE_ID.slice(0, 31)}g-${PARENT_ID}-01`],
    ["other separators", `00_${TRACE_ID}_${PARENT_ID}_01`],
  ])("refuses %s", (_, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it("reads back whatever formatTraceparent writes (fast-check)", () => {
    const hex = (length: number) =>
      fc
        .string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: length, maxLength: length })
        .filter((id) => !/^0+$/.test(id));
    fc.assert(
      fc.property(hex(32), hex(16), (traceId, spanId) => {
        expect(parseTraceparent(formatTraceparent(traceId, spanId))).toEqual({
          traceId,
          parentId: spanId,
          flags: "01",
        });
      }),
    );
  });
});

describe("new trace contexts", () => {
  it("continues the given trace with a new span each time", () => {
    const first = acceptanceTrace(TRACE_ID);
    const second = acceptanceTrace(TRACE_ID);
    expect(first.traceId).toBe(TRACE_ID);
    expect(second.traceId).toBe(TRACE_ID);
    expect(first.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(first.spanId).not.toBe(second.spanId);
  });

  it("starts a new random trace without one", () => {
    const { traceId } = acceptanceTrace();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(acceptanceTrace().traceId).not.toBe(traceId);
  });

  it("never makes an all-zero id, even when the random source returns zeros first", () => {
    let calls = 0;
    const zerosOnce = (bytes: Uint8Array) => {
      calls += 1;
      return calls === 1 ? bytes.fill(0) : bytes.fill(7);
    };
    expect(randomHexId(8, zerosOnce)).toBe("07".repeat(8));
    expect(calls).toBe(2);
  });
});

describe("the trace of a record stored before trace context existed", () => {
  it("is derived from the event id: the same every time, valid, different per event", () => {
    const one = derivedTrace("evt_0123456789abcdef0123456789abcdef");
    expect(derivedTrace("evt_0123456789abcdef0123456789abcdef")).toEqual(one);
    expect(parseTraceparent(formatTraceparent(one.traceId, one.spanId))).toBeDefined();
    expect(derivedTrace("evt_0123456789abcdef0123456789abcdee").traceId).not.toBe(one.traceId);
  });

  it("is used only when the record has none", () => {
    const trace = { traceId: TRACE_ID, spanId: PARENT_ID };
    expect(traceOf({ eventId: "evt_a", trace })).toBe(trace);
    expect(traceOf({ eventId: "evt_a" })).toEqual(derivedTrace("evt_a"));
  });
});
