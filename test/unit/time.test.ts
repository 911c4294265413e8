/**
 * RFC 3339 validation and the instant key that orders Bandwidth's times across precisions and offsets.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { instantKey, isRfc3339 } from "../../src/bandwidth/time.ts";

describe("isRfc3339", () => {
  it.each([
    "2024-02-29T00:00:00Z",
    "2000-02-29T12:00:00Z",
    "2024-12-31T23:59:59.999999999Z",
    "2016-12-31T23:59:60Z",
    "2024-09-14T18:20:16+14:00",
    "2024-09-14T18:20:16-12:00",
    "2024-09-14T18:20:16-00:00",
    "2024-09-14T18:20:16+05:45",
    "2024-09-14t18:20:16z",
    "1970-01-01T00:00:00Z",
  ])("accepts %s", (value) => {
    expect(isRfc3339(value)).toBe(true);
  });

  it.each([
    ["Feb 29 of a non-leap year", "2023-02-29T00:00:00Z"],
    ["Feb 29 of a century that is not a leap year", "2100-02-29T00:00:00Z"],
    ["April 31", "2024-04-31T00:00:00Z"],
    ["day 0", "2024-09-00T00:00:00Z"],
    ["month 0", "2024-00-10T00:00:00Z"],
    ["month 13", "2024-13-01T00:00:00Z"],
    ["hour 24", "2024-09-14T24:00:00Z"],
    ["minute 60", "2024-09-14T18:60:00Z"],
    ["second 61", "2024-09-14T18:20:61Z"],
    ["an offset hour of 24", "2024-09-14T18:20:16+24:00"],
    ["an offset minute of 60", "2024-09-14T18:20:16+05:60"],
    ["an offset without a colon", "2024-09-14T18:20:16+0200"],
    ["no timezone", "2024-09-14T18:20:16"],
    ["a space instead of T", "2024-09-14 18:20:16Z"],
    ["an empty fraction", "2024-09-14T18:20:16.Z"],
    ["10 fractional digits", "2024-09-14T18:20:16.0123456789Z"],
    ["a year before 1970", "1969-12-31T23:59:59Z"],
    ["a date only", "2024-09-14"],
    ["a word", "yesterday"],
    ["surrounding whitespace", " 2024-09-14T18:20:16Z"],
  ])("rejects %s", (_, value) => {
    expect(isRfc3339(value)).toBe(false);
  });
});

function compare<T extends string | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A random instant from 1971 to 2099, written at 0, 3, 6 or 9 fractional digits with a random offset. */
const writtenInstant = fc
  .record({
    seconds: fc.integer({ min: 365 * 86_400 + 86_400, max: 4_102_444_800 }),
    nanos: fc.integer({ min: 0, max: 999_999_999 }),
    digits: fc.constantFrom(0, 3, 6, 9),
    offsetMinutes: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
  })
  .map(({ seconds, nanos, digits, offsetMinutes }) => {
    const unit = 10 ** (9 - digits);
    const kept = Math.floor(nanos / unit) * unit;
    const local = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
    const fraction = digits === 0 ? "" : `.${String(kept).padStart(9, "0").slice(0, digits)}`;
    const abs = Math.abs(offsetMinutes);
    const offset = `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    return { text: `${local}${fraction}${offset}`, nanos: BigInt(seconds) * 1_000_000_000n + BigInt(kept) };
  });

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

describe("instantKey", () => {
  it("is equal for the same instant at 0, 3, 6 and 9 fractional digits", () => {
    const keys = [
      "2024-09-14T18:20:16Z",
      "2024-09-14T18:20:16.000Z",
      "2024-09-14T18:20:16.000000Z",
      "2024-09-14T18:20:16.000000000Z",
    ].map(instantKey);
    expect(new Set(keys).size).toBe(1);
  });

  it("is equal for the same instant written with different offsets", () => {
    const keys = ["2024-09-14T18:20:16.5Z", "2024-09-14T20:20:16.5+02:00", "2024-09-14T13:50:16.5-04:30"].map(
      instantKey,
    );
    expect(new Set(keys).size).toBe(1);
  });

  it("orders by instant, not by the text: an offset time that reads later can be earlier", () => {
    // 19:00+02:00 is 17:00Z, before 18:00Z.
    expect(instantKey("2024-09-14T19:00:00+02:00") < instantKey("2024-09-14T18:00:00Z")).toBe(true);
  });

  it("orders a shorter fraction before a longer one that is later", () => {
    expect(instantKey("2024-09-14T18:20:16.1Z") < instantKey("2024-09-14T18:20:16.100001Z")).toBe(true);
    expect(instantKey("2024-09-14T18:20:16.999999999Z") < instantKey("2024-09-14T18:20:17Z")).toBe(true);
  });

  it("places a leap second after 23:59:59.9 and together with the next midnight", () => {
    expect(instantKey("2016-12-31T23:59:59.9Z") < instantKey("2016-12-31T23:59:60Z")).toBe(true);
    expect(instantKey("2016-12-31T23:59:60Z")).toBe(instantKey("2017-01-01T00:00:00Z"));
  });

  it("rejects instants that a positive offset carries back before the Unix epoch", () => {
    // Their written year is 1970, but they denote 1969-12-31T22:00Z and 23:00Z, which instantKey cannot order.
    expect(isRfc3339("1970-01-01T00:00:00+02:00")).toBe(false);
    expect(isRfc3339("1970-01-01T00:00:00+01:00")).toBe(false);
    expect(isRfc3339("1970-01-01T00:00:00Z")).toBe(true);
  });

  it("sorts like the instants for random times, precisions and offsets", () => {
    fc.assert(
      fc.property(writtenInstant, writtenInstant, (a, b) => {
        expect(isRfc3339(a.text) && isRfc3339(b.text)).toBe(true);
        return compare(instantKey(a.text), instantKey(b.text)) === compare(a.nanos, b.nanos);
      }),
      { numRuns: 2000 },
    );
  });

  it("throws on a value that is not RFC 3339", () => {
    expect(() => instantKey("yesterday")).toThrow(TypeError);
  });
});
