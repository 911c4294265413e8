/**
 * A callback body → validated events, or the list of issues that makes the whole request invalid.
 */
import * as v from "valibot";
import { type BandwidthEventOutput, BandwidthEventSchema } from "./schema.ts";

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

/** The outcome of parsing a callback body. */
export type ParsedCallback =
  | { ok: true; events: BandwidthEventOutput[] }
  | { ok: false; error: string; issues: CallbackIssue[] };

/** Parses and validates a callback body: a JSON array of events, or (as Bandwidth's OpenAPI shows) one bare event. */
export function parseCallbackBody(text: string): ParsedCallback {
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
  const events: BandwidthEventOutput[] = [];
  const issues: CallbackIssue[] = [];
  items.forEach((item, index) => {
    const result = v.safeParse(BandwidthEventSchema, item);
    if (result.success) events.push(result.output);
    else issues.push(...result.issues.map((issue) => describeIssue(index, issue)));
  });
  if (issues.length > 0) return { ok: false, error: "invalid event", issues };
  return { ok: true, events };
}

function invalid(error: string): ParsedCallback {
  return { ok: false, error, issues: [] };
}

type EventIssue = v.InferIssue<typeof BandwidthEventSchema>;

function describeIssue(index: number, issue: EventIssue): CallbackIssue {
  const path = (issue.path ?? []).map((item) => String(item.key)).join(".");
  const missing = issue.kind === "schema" && issue.input === undefined && path !== "";
  return { index, path, message: missing ? "is required" : issue.message };
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
