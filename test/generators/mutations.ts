/**
 * Mutations of a valid Bandwidth event whose effect on validity is known by construction (DESIGN.md, "Facts
 * about Bandwidth callbacks"): those that keep an event valid (unknown fields, free text, edge numbers, other
 * times and types, dropped optional fields) and those that make it invalid (dropped or retyped fields, bad
 * times, mismatched direction), each with the issue path the receiver must report.
 */
import fc from "fast-check";
import { defineKey } from "./json-text.ts";
import type { Doc } from "./seeds.ts";
import {
  anyStringArb,
  INBOUND_TYPES,
  integerArb,
  invalidTimeArb,
  nonIntegerArb,
  nonNegativeIntegerArb,
  nonStringArb,
  notATypeArb,
  OUTBOUND_TYPES,
  TRICKY_STRINGS,
  textArb,
  unknownTypeArb,
  validTimeArb,
} from "./values.ts";

/** One edit: set (as an own property, even `__proto__`) or delete the value at `path`. */
export type Edit =
  | { op: "set"; path: readonly string[]; value: unknown }
  | { op: "delete"; path: readonly string[] };

/** A named group of edits; an invalid one says which issue it must cause. */
export interface Mutation {
  name: string;
  edits: Edit[];
  /** Invalid mutations: the issue path the receiver must report (`""`: the event itself), or `body`. */
  issue?: string;
  /** Invalid mutations that leave no usable envelope (`type`, `message.id`): a 400, not quarantine. */
  reject?: boolean;
}

const EVENT_FIELDS = [
  "type",
  "time",
  "to",
  "description",
  "message",
  "errorCode",
  "carrierName",
  "eventTime",
];
const MESSAGE_FIELDS = [
  ...["id", "owner", "applicationId", "time", "segmentCount", "direction", "to", "from"],
  ...["text", "tag", "media", "priority", "channel"],
];
const REQUIRED_EVENT_STRINGS = ["type", "time", "to"];
const REQUIRED_MESSAGE_STRINGS = ["id", "owner", "time", "from"];
const OPTIONAL_EVENT_STRINGS = ["carrierName", "description"];
const OPTIONAL_MESSAGE_STRINGS = ["text", "tag", "applicationId"];
/** What the envelope is made of: without these an event cannot be stored anywhere, so it is refused. */
const ENVELOPE_PATHS = new Set(["type", "message", "message.id", ""]);
/** Deepest nesting accepted (DESIGN.md leaves it to us; src/bandwidth/parse.ts documents 32). */
export const MAX_DEPTH = 32;

/** Applies a mutation to an event and returns the result (an edit with an empty path replaces the event). */
export function applyMutation(event: unknown, mutation: Mutation): unknown {
  let result = event;
  for (const edit of mutation.edits) {
    if (edit.path.length === 0) {
      if (edit.op === "set") result = edit.value;
      continue;
    }
    let parent = result as Doc;
    for (const key of edit.path.slice(0, -1)) parent = parent[key] as Doc;
    const last = edit.path[edit.path.length - 1] as string;
    if (edit.op === "set") defineKey(parent, last, structuredCopy(edit.value));
    else delete parent[last];
  }
  return result;
}

/** Copies plain data (keeping RawNumber and `__proto__` keys) so that one generated value is never shared. */
function structuredCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(structuredCopy);
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Doc = {};
    for (const key of Object.keys(value)) defineKey(copy, key, structuredCopy((value as Doc)[key]));
    return copy;
  }
  return value;
}

/** A value nested `depth` levels deep (arrays and objects alternating): `{}` is one level. */
export function nested(depth: number): unknown {
  let value: unknown = {};
  for (let level = 1; level < depth; level++) value = level % 2 ? [value] : { deeper: value };
  return value;
}

const set = (path: readonly string[], value: unknown): Edit => ({ op: "set", path, value });
const drop = (path: readonly string[]): Edit => ({ op: "delete", path });

const unknownKeyArb = (known: string[]) =>
  fc
    .oneof(
      fc.constantFrom(
        "__proto__",
        "constructor",
        "prototype",
        "toString",
        "valueOf",
        "Type",
        "TIME",
        "0",
        "a.b",
      ),
      fc.constantFrom(...TRICKY_STRINGS),
      textArb,
    )
    .filter((key) => !known.includes(key));

/** Values for unknown fields: any JSON, tricky strings, edge numbers, prototype-pollution payloads. */
const unknownValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: anyStringArb(true) },
  { weight: 1, arbitrary: integerArb },
  { weight: 1, arbitrary: nonIntegerArb },
  {
    weight: 1,
    arbitrary: fc.constantFrom<unknown>(
      JSON.parse('{"__proto__": {"polluted": "yes"}}'),
      JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
      JSON.parse('[{"__proto__": null}]'),
    ),
  },
);

/** Mutations after which the event is still valid. */
export const validMutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc
    .record({ key: unknownKeyArb(EVENT_FIELDS), value: unknownValueArb })
    .map(({ key, value }) => ({ name: "unknown event field", edits: [set([key], value)] })),
  fc
    .record({ key: unknownKeyArb(MESSAGE_FIELDS), value: unknownValueArb })
    .map(({ key, value }) => ({ name: "unknown message field", edits: [set(["message", key], value)] })),
  fc
    .record({
      path: fc.constantFrom(["description"], ["message", "text"], ["message", "tag"], ["carrierName"]),
      value: anyStringArb(true),
    })
    .map(({ path, value }) => ({ name: `free text ${path.join(".")}`, edits: [set(path, value)] })),
  fc
    .record({
      path: fc.constantFrom(["to"], ["message", "owner"], ["message", "from"]),
      value: anyStringArb(false),
    })
    .map(({ path, value }) => ({ name: `string ${path.join(".")}`, edits: [set(path, value)] })),
  // Lone surrogates included: the CloudEvent `source` URI-encodes applicationId (made well-formed first).
  anyStringArb(false).map((value) => ({
    name: "string message.applicationId",
    edits: [set(["message", "applicationId"], value)],
  })),
  fc
    .record({
      path: fc.constantFrom(["message", "to"], ["message", "media"]),
      value: fc.array(anyStringArb(false), { maxLength: 5 }),
    })
    .map(({ path, value }) => ({ name: `string array ${path.join(".")}`, edits: [set(path, value)] })),
  nonNegativeIntegerArb.map((value) => ({
    name: "segmentCount edge",
    edits: [set(["message", "segmentCount"], value)],
  })),
  integerArb.map((value) => ({ name: "errorCode edge", edits: [set(["errorCode"], value)] })),
  fc
    .record({ path: fc.constantFrom(["time"], ["message", "time"], ["eventTime"]), value: validTimeArb })
    .map(({ path, value }) => ({ name: `time ${path.join(".")}`, edits: [set(path, value)] })),
  fc
    .oneof(
      fc.constantFrom(...OUTBOUND_TYPES).map((type) => ({ type, direction: "out" })),
      fc.constantFrom(...INBOUND_TYPES).map((type) => ({ type, direction: "in" })),
      fc.record({ type: unknownTypeArb, direction: fc.constantFrom("in", "out") }),
    )
    .map(({ type, direction }) => ({
      name: "type and direction",
      edits: [set(["type"], type), set(["message", "direction"], direction)],
    })),
  fc
    .constantFrom(
      ["errorCode"],
      ["carrierName"],
      ["eventTime"],
      ["description"],
      ...["text", "tag", "media", "priority", "channel", "applicationId", "segmentCount"].map((key) => [
        "message",
        key,
      ]),
    )
    .map((path) => ({ name: `drop optional ${path.join(".")}`, edits: [drop(path)] })),
  // Carried as sent: Bandwidth adds priorities and channels without notice.
  fc
    .constantFrom<unknown>("default", "high", "urgent", "low", "HIGH", "", null, 1, [], {})
    .map((value) => ({ name: "priority", edits: [set(["message", "priority"], value)] })),
  fc
    .constantFrom<unknown>("RBM", "SMS", "MMS", "WHATSAPP", "", null, 1, [])
    .map((value) => ({ name: "channel", edits: [set(["message", "channel"], value)] })),
  // A direction that does not match the type is carried: the type decides what the event means.
  fc
    .oneof(
      fc.constantFrom(...OUTBOUND_TYPES).map((type) => ({ type, direction: "in" })),
      fc.constantFrom(...INBOUND_TYPES).map((type) => ({ type, direction: "out" })),
    )
    .map(({ type, direction }) => ({
      name: "direction mismatch",
      edits: [set(["type"], type), set(["message", "direction"], direction)],
    })),
  fc
    .record({ key: unknownKeyArb(MESSAGE_FIELDS), depth: fc.integer({ min: 1, max: MAX_DEPTH - 3 }) })
    .map(({ key, depth }) => ({
      name: "nesting within the limit",
      edits: [set(["message", key], nested(depth))],
    })),
);

/**
 * A new, valid message id (1 to 256 UTF-16 units of anything), which names a new Durable Object: `prefix` and any
 * text, or one of `exact` (ids such as `__proto__` that only one test may use).
 */
export function messageIdMutationArb(prefix: string, exact: string[] = []): fc.Arbitrary<Mutation> {
  const suffixArb = fc.oneof(textArb, fc.constantFrom(...TRICKY_STRINGS, "x".repeat(256 - prefix.length)));
  const ids = [suffixArb.map((suffix) => `${prefix}${suffix}`)];
  if (exact.length > 0) ids.push(fc.constantFrom(...exact));
  return fc.oneof(...ids).map((id) => ({ name: "message id", edits: [set(["message", "id"], id)] }));
}

const invalid = (name: string, issue: string, ...edits: Edit[]): Mutation => ({
  name,
  issue,
  edits,
  reject: ENVELOPE_PATHS.has(issue),
});

/** Mutations after which the event is invalid, with the issue path each must cause. */
export const invalidMutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constantFrom("type", "time", "to", "message").map((key) => invalid(`drop ${key}`, key, drop([key]))),
  fc
    .constantFrom("id", "owner", "time", "direction", "to", "from")
    .map((key) => invalid(`drop message.${key}`, `message.${key}`, drop(["message", key]))),
  fc
    .record({
      path: fc.constantFrom(
        ...REQUIRED_EVENT_STRINGS.map((key) => [key]),
        ...REQUIRED_MESSAGE_STRINGS.map((key) => ["message", key]),
        ...OPTIONAL_EVENT_STRINGS.map((key) => [key]),
        ...OPTIONAL_MESSAGE_STRINGS.map((key) => ["message", key]),
      ),
      value: nonStringArb,
    })
    .map(({ path, value }) => invalid(`retype ${path.join(".")}`, path.join("."), set(path, value))),
  fc
    .oneof(nonIntegerArb, fc.integer({ max: -1 }), fc.constantFrom(-1e308, -Number.MAX_VALUE))
    .map((value) =>
      invalid(
        "segmentCount not a non-negative integer",
        "message.segmentCount",
        set(["message", "segmentCount"], value),
      ),
    ),
  nonIntegerArb.map((value) => invalid("errorCode not an integer", "errorCode", set(["errorCode"], value))),
  fc
    .record({ path: fc.constantFrom(["time"], ["message", "time"], ["eventTime"]), value: invalidTimeArb })
    .map(({ path, value }) => invalid(`bad time ${path.join(".")}`, path.join("."), set(path, value))),
  // Any non-empty string is an envelope's type, so a malformed one is quarantined; anything else is refused.
  notATypeArb.map((value) => ({
    ...invalid("not a type", "type", set(["type"], value)),
    reject: typeof value !== "string" || value === "",
  })),
  fc
    .constantFrom<unknown>("IN", "Out", "inbound", "outbound", "", " in", "in ", 0, null, true, [], {})
    .map((value) => invalid("bad direction", "message.direction", set(["message", "direction"], value))),
  fc
    .record({
      path: fc.constantFrom(["message", "to"], ["message", "media"]),
      value: fc.constantFrom<unknown>("+15554443333", null, {}, 1, [1], [null], ["ok", 2], [["x"]], [{}]),
    })
    .map(({ path, value }) => invalid(`bad array ${path.join(".")}`, path.join("."), set(path, value))),
  fc
    .constantFrom<unknown>("", "x".repeat(257), "😀".repeat(129))
    .map((value) => invalid("bad message id", "message.id", set(["message", "id"], value))),
  fc
    .constantFrom<unknown>(null, "message", 1, true, [])
    .map((value) => invalid("message not an object", "message", set(["message"], value))),
  fc
    .constantFrom<unknown>(null, "event", 1, true, [], [{}])
    .map((value) => invalid("event not an object", "", set([], value))),
  fc
    // Deeper bodies are fuzzed as bare brackets: fast-check could not print a counterexample this deep.
    .integer({ min: MAX_DEPTH, max: 300 })
    .map((depth) => invalid("nesting over the limit", "body", set(["nested"], nested(depth)))),
);
