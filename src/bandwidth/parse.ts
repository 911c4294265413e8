/**
 * A callback body → its events, each checked: valid, or invalid with the issues that keep it out (to be
 * quarantined or, with INVALID_EVENTS=reject, refused). A body that is not JSON, or an event without a usable
 * envelope (a `type` and a `message.id`), makes the whole request invalid: such an event cannot be stored.
 */
import * as v from "valibot";
import {
  type BandwidthEventOutput,
  BandwidthEventSchema,
  type EventEnvelope,
  EventEnvelopeSchema,
} from "./schema.ts";
import { MAX_EVENT_BYTES, utf8Length } from "./size.ts";

/** Most events accepted in one request; Bandwidth sends one. */
export const MAX_EVENTS_PER_REQUEST = 500;
/** Deepest JSON nesting accepted; real events are four levels deep. */
export const MAX_JSON_DEPTH = 32;

/** One problem with one event, safe to show to the sender: it never contains a submitted value. */
export interface CallbackIssue {
  index: number;
  path: string;
  message: string;
}

/** One event of a callback, checked against the current schemas and the size limit. */
export type CheckedEvent =
  | { valid: true; event: BandwidthEventOutput }
  | { valid: false; raw: EventEnvelope; issues: Array<Omit<CallbackIssue, "index">> };

/** A callback body read into checked events, or why the request as a whole is refused. */
export type ReadCallback =
  | { ok: true; events: CheckedEvent[] }
  | { ok: false; error: string; issues: CallbackIssue[] };

/** A callback body whose every event is valid, or every issue found (the strict reading, INVALID_EVENTS=reject). */
export type ParsedCallback =
  | { ok: true; events: BandwidthEventOutput[] }
  | { ok: false; error: string; issues: CallbackIssue[] };

/** Reads a callback body: a JSON array of events, or (as Bandwidth's OpenAPI shows) one bare event. */
export function readCallbackBody(text: string): ReadCallback {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's own message quotes the body, which may hold phone numbers or message text.
    return { ok: false, error: "body is not valid JSON", issues: [] };
  }
  if (nestingDepth(json) > MAX_JSON_DEPTH) {
    return invalid(`body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const items = Array.isArray(json) ? json : [json];
  if (items.length === 0) return invalid("body must contain at least one event");
  if (items.length > MAX_EVENTS_PER_REQUEST) {
    return invalid(`body must contain at most ${MAX_EVENTS_PER_REQUEST} events`);
  }
  const events: CheckedEvent[] = [];
  const unusable: CallbackIssue[] = [];
  items.forEach((item, index) => {
    const envelope = v.safeParse(EventEnvelopeSchema, item);
    if (envelope.success) events.push(checkEvent(envelope.output));
    else unusable.push(...envelope.issues.map((issue) => ({ index, ...describeIssue(issue) })));
  });
  if (unusable.length > 0) return { ok: false, error: "event without a usable envelope", issues: unusable };
  return { ok: true, events };
}

/** Reads a callback body strictly: any invalid event makes the whole request invalid. */
export function parseCallbackBody(text: string): ParsedCallback {
  const read = readCallbackBody(text);
  if (!read.ok) return read;
  const issues = invalidIssues(read.events);
  if (issues.length > 0) return { ok: false, error: "invalid event", issues };
  return { ok: true, events: read.events.flatMap((checked) => (checked.valid ? [checked.event] : [])) };
}

/** The issues of the invalid events of a batch, each with the event's position. */
export function invalidIssues(events: readonly CheckedEvent[]): CallbackIssue[] {
  return events.flatMap((checked, index) =>
    checked.valid ? [] : checked.issues.map((issue) => ({ index, ...issue })),
  );
}

/** Checks one event that has a usable envelope against the current schemas and the size limit. */
export function checkEvent(raw: EventEnvelope): CheckedEvent {
  const bytes = utf8Length(JSON.stringify(raw));
  if (bytes > MAX_EVENT_BYTES) {
    return {
      valid: false,
      raw,
      issues: [{ path: "", message: `too large: ${bytes} bytes, at most ${MAX_EVENT_BYTES} per event` }],
    };
  }
  const result = v.safeParse(BandwidthEventSchema, raw);
  if (result.success) return { valid: true, event: result.output };
  return { valid: false, raw, issues: result.issues.map(describeIssue) };
}

function invalid(error: string): ReadCallback {
  return { ok: false, error, issues: [] };
}

function describeIssue(issue: v.BaseIssue<unknown>): Omit<CallbackIssue, "index"> {
  const path = (issue.path ?? []).map((item) => String(item.key)).join(".");
  const missing = issue.kind === "schema" && issue.input === undefined && path !== "";
  return { path, message: missing ? "is required" : issue.message };
}

/** The nesting depth of a parsed JSON value, computed without recursion so that no input can exhaust the stack. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}
