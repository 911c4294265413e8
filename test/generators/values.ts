/**
 * Generators of field values whose validity is known by construction from DESIGN.md ("Facts about Bandwidth
 * callbacks"): strings of every kind, numbers at the edges, RFC 3339 times and event types.
 */
import fc from "fast-check";
import { utf8Length } from "../../src/bandwidth/size.ts";
import { RawNumber } from "./json-text.ts";

/** One UTF-16 "character" of any kind: ASCII, control characters, any code point, and lone surrogates. */
const unitArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  {
    weight: 2,
    arbitrary: fc
      .integer({ min: 0x80, max: 0x10ffff })
      .filter((code) => code < 0xd800 || code > 0xdfff)
      .map((code) => String.fromCodePoint(code)),
  },
);

/** Strings that have broken parsers and object handling before. */
export const TRICKY_STRINGS = [
  "",
  " ",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "NaN",
  "Infinity",
  "-0",
  "1e308",
  "null",
  "undefined",
  "\u0000",
  "\ud800",
  "\udfff",
  "a\ud800b",
  "\udc00\ud800",
  "😀",
  "e\u0301",
  "\u202e\u2066",
  "\ufeff",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "%00%ff",
  "../../etc/passwd",
  "\\",
  '"',
  "\r\n",
];

/** Any short string, with lone surrogates and control characters. */
export const textArb = fc.string({ unit: unitArb, maxLength: 40 });

/** Strings of 10,000 to 60,000 repetitions of one character (lone surrogates included). */
export const hugeStringArb = fc
  // Sized in stored bytes (a lone surrogate is stored as a 6-byte escape), so that an event with a few of
  // them stays under the receiver's 64 KiB per-event limit and a message under its storage budget.
  .record({ unit: unitArb, bytes: fc.integer({ min: 4_000, max: 12_000 }) })
  .map(({ unit, bytes }) => unit.repeat(Math.max(1, Math.floor(bytes / utf8Length(JSON.stringify(unit))))));

/** Any string a free-text field may hold; `huge` adds very long ones. */
export function anyStringArb(huge: boolean): fc.Arbitrary<string> {
  const arbitraries = [
    { weight: 6, arbitrary: textArb },
    { weight: 3, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
  ];
  if (huge) arbitraries.push({ weight: 1, arbitrary: hugeStringArb });
  return fc.oneof(...arbitraries);
}

/** Non-negative integers, as JSON may spell them: `-0`, exponents, underflow to 0, beyond 2^53, 1e308. */
export const nonNegativeIntegerArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 0, max: 10 }),
  fc.maxSafeNat(),
  fc.constantFrom<unknown>(
    2 ** 31,
    2 ** 32,
    2 ** 53,
    2 ** 53 + 2,
    1e21,
    1e308,
    Number.MAX_VALUE,
    new RawNumber("-0"),
    new RawNumber("1e308"),
    new RawNumber("1E2"),
    new RawNumber("1.0"),
    new RawNumber("100e-2"),
    new RawNumber("1e-400"),
    new RawNumber("-1e-400"),
    new RawNumber("123456789012345678901234567890"),
  ),
);

/** Any integer: the non-negative ones, negatives, and Bandwidth's four-digit error codes. */
export const integerArb: fc.Arbitrary<unknown> = fc.oneof(
  nonNegativeIntegerArb,
  fc.integer({ min: 1000, max: 9999 }),
  fc.integer({ min: -100_000, max: -1 }),
  fc.constantFrom<unknown>(-(2 ** 53), -1e308, -Number.MAX_VALUE, new RawNumber("-1e308")),
);

/** Values that are not integers: fractions, overflow to ±Infinity, NaN-ish strings and other JSON types. */
export const nonIntegerArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n)),
  fc.constantFrom<unknown>(
    "1",
    "4432",
    "NaN",
    "Infinity",
    "-0",
    "1e308",
    "",
    true,
    false,
    null,
    [],
    {},
    [1],
    { value: 1 },
    Number.MIN_VALUE,
    new RawNumber("1e309"),
    new RawNumber("-1e309"),
    new RawNumber("5e-324"),
    new RawNumber("4432.5"),
    new RawNumber("-0.5"),
  ),
);

/** Values that are not strings. */
export const nonStringArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom<unknown>(true, false, null, [], {}, ["x"], { value: "x" }, new RawNumber("-0")),
);

const LATEST_INSTANT_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function twoDigits(n: number): string {
  return String(n).padStart(2, "0");
}

/**
 * RFC 3339 date-times that the contract accepts: 0 to 9 fractional digits, `T`/`t`, `Z`/`z` or a numeric
 * offset, a local date from 1970 to 9999 and an instant not before 1970 (DESIGN.md; the receiver takes times from 1970 on).
 */
export const validTimeArb: fc.Arbitrary<string> = fc
  .record({
    ms: fc.integer({ min: 0, max: LATEST_INSTANT_MS }),
    offsetMinutes: fc.oneof(fc.constant(0), fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 })),
    fraction: fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 9 }),
    zulu: fc.constantFrom("Z", "z", "+00:00", "-00:00"),
    separator: fc.constantFrom("T", "t"),
  })
  .filter(({ ms, offsetMinutes }) => {
    const local = ms + offsetMinutes * 60_000;
    return local >= 0 && local <= LATEST_INSTANT_MS;
  })
  .map(({ ms, offsetMinutes, fraction, zulu, separator }) => {
    const local = new Date(ms + offsetMinutes * 60_000);
    const date = `${String(local.getUTCFullYear()).padStart(4, "0")}-${twoDigits(local.getUTCMonth() + 1)}-${twoDigits(local.getUTCDate())}`;
    const clock = `${twoDigits(local.getUTCHours())}:${twoDigits(local.getUTCMinutes())}:${twoDigits(local.getUTCSeconds())}`;
    const abs = Math.abs(offsetMinutes);
    const zone =
      offsetMinutes === 0
        ? zulu
        : `${offsetMinutes < 0 ? "-" : "+"}${twoDigits(Math.floor(abs / 60))}:${twoDigits(abs % 60)}`;
    return `${date}${separator}${clock}${fraction ? `.${fraction}` : ""}${zone}`;
  });

/** Strings that are not RFC 3339 date-times from 1970 on, and values that are not strings. */
export const invalidTimeArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    "",
    "not a time",
    "2024-09-14",
    "18:20:16Z",
    "2024-09-14 18:20:16Z",
    "2024-09-14T18:20:16",
    "2024-09-14T18:20:16+0200",
    "2024-09-14T18:20:16+24:00",
    "2024-09-14T18:20:16+02:60",
    "2024-9-14T18:20:16Z",
    "2024-09-14T18:20:16.Z",
    "2024-09-14T18:20:16.1234567890Z",
    "1969-12-31T23:59:59Z",
    "1970-01-01T00:00:00+00:01",
    "0000-01-01T00:00:00Z",
    "2023-02-29T00:00:00Z",
    "2024-02-30T00:00:00Z",
    "2024-04-31T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-09-00T00:00:00Z",
    "2024-09-14T24:00:00Z",
    "2024-09-14T18:60:00Z",
    "2024-09-14T18:20:61Z",
    " 2024-09-14T18:20:16Z",
    "2024-09-14T18:20:16Z ",
    "2024-09-14T18:20:16ZZ",
    "+002024-09-14T18:20:16Z",
    "1726338016",
    "２０２４-09-14T18:20:16Z",
    1726338016,
    null,
    true,
    [],
    {},
  ),
  validTimeArb.map((time) => time.replace(/[Tt]/, " ")),
  validTimeArb.map((time) => time.replace(/([Zz]|[+-]\d\d:\d\d)$/, "")),
  validTimeArb.map((time) => `${time}x`),
);

/** Bandwidth's status types (outbound) and inbound types, from DESIGN.md. */
export const OUTBOUND_TYPES = [
  "message-sending",
  "message-sent",
  "message-delivered",
  "message-failed",
  "message-read",
];
export const INBOUND_TYPES = [
  "message-received",
  "suggestion-response",
  "requested-location-response",
  "request-location-response",
  "location-request-response",
];
const KNOWN_TYPES = new Set([...OUTBOUND_TYPES, ...INBOUND_TYPES]);

/** Types Bandwidth may add later: hyphenated words (and names that are also Object.prototype members). */
export const unknownTypeArb: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("message-foo", "message-queued", "message-expired", "constructor", "toString", "valueOf"),
  fc
    .array(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 4 })
    .map((words) => words.join("-"))
    .filter((type) => !KNOWN_TYPES.has(type)),
);

/** Strings that are no event type at all (spaces, leading punctuation, non-ASCII, too long, empty). */
export const notATypeArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    "",
    " message-sent",
    "message-sent ",
    "message sent",
    "-message",
    ".message",
    "_message",
    "message/sent",
    "ünknown",
    "message-sent\n",
    "\ud800",
    "😀",
    "a".repeat(101),
  ),
  nonStringArb,
);
