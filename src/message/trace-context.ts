/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) for the events this receiver accepts: reading a
 * callback's `traceparent` strictly, making new trace and span ids, and writing `traceparent` values. Pure but
 * for the random bytes, whose source is injectable.
 */

/** An event's trace context: the trace it belongs to and the span of its acceptance. */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zeros. */
  traceId: string;
  /** 16 lowercase hex digits, not all zeros: the span of the event's acceptance. */
  spanId: string;
}

/** A parsed `traceparent` header. */
export interface Traceparent {
  traceId: string;
  parentId: string;
  /** The trace flags, two hex digits (`01`: sampled). */
  flags: string;
}

/** Fills a byte array with random bytes (crypto.getRandomValues in production, a seeded one in tests). */
export type RandomBytes = (bytes: Uint8Array) => Uint8Array;

const cryptoRandom: RandomBytes = (bytes) => crypto.getRandomValues(bytes);

/** Version 00 exactly, as W3C defines it: a longer value or upper-case hex is not a version-00 header. */
const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZEROS = /^0+$/;

/**
 * The trace context a `traceparent` header carries, or undefined when it is absent or not a valid version-00
 * value (then the caller starts a new trace, as W3C says a receiver must).
 */
export function parseTraceparent(header: string | null | undefined): Traceparent | undefined {
  if (header === null || header === undefined) return undefined;
  const match = VERSION_00.exec(header.trim());
  if (!match) return undefined;
  const [, traceId = "", parentId = "", flags = ""] = match;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}

/** A `traceparent` value: version 00, the trace id, the span id, sampled (`01`). */
export function formatTraceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

/** A new random id of `bytes` bytes as lowercase hex, never all zeros. */
export function randomHexId(bytes: number, random: RandomBytes = cryptoRandom): string {
  for (;;) {
    const hex = toHex(random(new Uint8Array(bytes)));
    if (!ALL_ZEROS.test(hex)) return hex;
  }
}

/** A new span id (8 random bytes). */
export function newSpanId(random: RandomBytes = cryptoRandom): string {
  return randomHexId(8, random);
}

/**
 * The trace context of an event accepted now, in the trace `traceId` (the callback's, when its `traceparent` was
 * valid) or, without one, in a new trace; in both cases with a new span of its own: its acceptance.
 */
export function acceptanceTrace(traceId?: string, random: RandomBytes = cryptoRandom): TraceContext {
  return { traceId: traceId ?? randomHexId(16, random), spanId: newSpanId(random) };
}

/**
 * The trace context of an event stored before events had one: derived from its id, so that every attempt and
 * every view of it agrees, though it continues no callback's trace.
 */
export function derivedTrace(eventId: string): TraceContext {
  const traceId = nonZero(fnv1a64(eventId, 0n) + fnv1a64(eventId, 1n));
  const spanId = nonZero(fnv1a64(eventId, 2n));
  return { traceId, spanId };
}

/** An event's trace context: its own, or the one derived from its id for a record stored before they existed. */
export function traceOf(record: { eventId: string; trace?: TraceContext }): TraceContext {
  return record.trace ?? derivedTrace(record.eventId);
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** FNV-1a, 64 bits, over the UTF-16 code units of `text` after the `salt` byte: 16 hex digits. */
function fnv1a64(text: string, salt: bigint): string {
  let hash = ((FNV_OFFSET ^ salt) * FNV_PRIME) & MASK_64;
  for (let i = 0; i < text.length; i += 1) {
    hash = ((hash ^ BigInt(text.charCodeAt(i))) * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, "0");
}

function nonZero(hex: string): string {
  return ALL_ZEROS.test(hex) ? `${hex.slice(0, -1)}1` : hex;
}
