/**
 * The bookkeeping of a fuzz run against the real Worker: sends callbacks with valid credentials, checks each
 * answer against what is known about the input, and remembers what must (and must not) have been stored and
 * forwarded, for the checks at the end of the run.
 */
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { EventEnvelope } from "../../src/bandwidth/schema.ts";
import { eventIdOf } from "../../src/message/event-id.ts";
import type { MessageView } from "../../src/message/view.ts";
import { expectNoLeak } from "../generators/leaks.ts";
import type { Doc } from "../generators/seeds.ts";
import { expectForwardedOnceUnlessRetried } from "../helpers/forwarding.ts";
import { admin, basicAuth } from "../helpers/http.ts";
import { settle, storedEvents } from "../helpers/settle.ts";

/** DESIGN.md: `413` over 1 MiB. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** What the answer to one request must be; a 400 may have to name the event and field that broke it. */
export type Expectation =
  | { status: 200; quarantined?: { index: number; path: string } }
  | { status: 400; index?: number; path?: string }
  | { status: 413 | 415 };

/** One request as sent. `documents` is what the body holds, to look for echoes; absent for non-JSON bodies. */
export interface Callback {
  body: string | Uint8Array | ReadableStream<Uint8Array>;
  contentType: string | undefined;
  documents: unknown;
}

const KNOWN_KEYS = new Set([
  ...["type", "time", "to", "description", "message", "errorCode", "carrierName", "eventTime"],
  ...["id", "owner", "applicationId", "segmentCount", "direction", "from", "text", "tag", "media"],
  ...["priority", "channel"],
]);
/** Fields whose values may legitimately appear in an error message (its example time, its example type). */
const NOT_SECRET = new Set(["type", "time", "eventTime"]);

/** Counts and ids of one fuzz test. */
export class FuzzBooks {
  requests = 0;
  events = 0;
  readonly outcomes: Record<string, number> = {};
  /** Message ids carried by rejected requests: nothing may be stored or forwarded under them. */
  readonly rejectedIds = new Set<string>();
  /** For each message id of an accepted request: event id → how many times it was sent. */
  readonly acceptedIds = new Map<string, Map<string, number>>();
  /** Every message id any request carried, whatever the answer. */
  readonly carried = new Set<string>();
  accepted = 0;
  duplicates = 0;
  quarantined = 0;
  /** Ids of the events held in quarantine so far: sent again, one is a duplicate. */
  readonly heldIds = new Set<string>();

  /** Sends `callback` through the Worker and checks the answer against `expected`. */
  async send(callback: Callback, expected: Expectation): Promise<void> {
    const headers: Record<string, string> = { authorization: basicAuth(), "user-agent": "BandwidthAPI/v2" };
    if (callback.contentType !== undefined) headers["content-type"] = callback.contentType;
    const response = await exports.default.fetch("https://receiver.test/callbacks/messaging", {
      method: "POST",
      headers,
      body: callback.body,
    });
    this.requests++;
    const events = eventDocuments(callback.documents);
    for (const id of messageIdsOf(events)) this.carried.add(id);
    this.events += events.length;
    this.outcomes[String(response.status)] = (this.outcomes[String(response.status)] ?? 0) + 1;
    const text = await response.text();
    expect(response.status, text).toBeLessThan(500);
    expect(response.status, text).toBe(expected.status);
    expectNoPrototypePollution();
    // The receiver's view of the events: RawNumber spellings as parsed, not as generated.
    if (expected.status === 200) {
      const parsed = eventDocuments(JSON.parse(String(callback.body)));
      await this.recordAnswer(response, text, parsed, expected.quarantined, callback.documents);
    } else {
      expectErrorBody(response, text, expected, callback.documents);
      for (const id of messageIdsOf(events)) this.rejectedIds.add(id);
    }
  }

  /**
   * Checks a 200 against a model of acceptance, event by event in body order: an id already stored is a
   * duplicate; the invalid event (`held`) is held in quarantine, or a duplicate when its id is held already;
   * any other event is stored. The held event must be named in `issues`, with nothing echoed.
   */
  private async recordAnswer(
    response: Response,
    text: string,
    events: Doc[],
    held: { index: number; path: string } | undefined,
    documents: unknown,
  ): Promise<void> {
    const answer = JSON.parse(text) as { accepted: number; duplicates: number; quarantined?: number };
    const expected = { accepted: 0, duplicates: 0, quarantined: 0 };
    let heldRetries = 0;
    for (const [index, event] of events.entries()) {
      const messageId = (event.message as Doc).id as string;
      const eventId = await eventIdOf(event as unknown as EventEnvelope);
      const sent = this.acceptedIds.get(messageId) ?? new Map<string, number>();
      if (sent.has(eventId)) {
        expected.duplicates += 1;
        sent.set(eventId, (sent.get(eventId) ?? 0) + 1);
      } else if (index === held?.index) {
        if (this.heldIds.has(eventId)) {
          expected.duplicates += 1;
          heldRetries += 1;
        } else expected.quarantined += 1;
        this.heldIds.add(eventId);
        continue;
      } else {
        expected.accepted += 1;
        sent.set(eventId, 1);
        this.heldIds.delete(eventId);
      }
      this.acceptedIds.set(messageId, sent);
    }
    expect({ quarantined: 0, ...answer, issues: undefined }, text).toEqual({
      ...expected,
      issues: undefined,
    });
    if (held && expected.quarantined > 0)
      expectErrorBody(response, text, { status: 400, ...held }, documents, true);
    this.accepted += expected.accepted;
    this.duplicates += expected.duplicates - heldRetries;
    this.quarantined += expected.quarantined;
  }

  /** After a failure: lets whatever any request stored drain, so that no alarm outlives the test. */
  async settleEverything(): Promise<void> {
    await settle(...this.carried);
  }

  /**
   * The end of the run: every accepted event is stored exactly once with its retries counted as duplicates and
   * forwarded (at least once, under its own id); nothing is stored or forwarded under a message id that only rejected requests carried.
   */
  async expectStoredAndForwarded(): Promise<void> {
    const distinct = [...this.acceptedIds.values()].reduce((sum, sent) => sum + sent.size, 0);
    expect(this.accepted).toBe(distinct);
    // Compared as JSON text: a failure message with a lone surrogate would break the runner's WebSocket.
    for (const [messageId, sent] of this.acceptedIds) {
      const view = await messageView(messageId);
      const stored = (view?.events ?? []).map((event) => [event.id, event.duplicates + 1]);
      expect(sortedJson(stored), `events stored for message ${JSON.stringify(messageId)}`).toBe(
        sortedJson([...sent]),
      );
    }
    await settle(...this.acceptedIds.keys());
    for (const [messageId, sent] of this.acceptedIds) {
      if (!isWellFormed(messageId)) continue;
      const forwarded = await forwardsTo(messageId);
      expect(sortedJson([...new Set(forwarded)]), `forwards of message ${JSON.stringify(messageId)}`).toBe(
        sortedJson([...sent.keys()]),
      );
      expectForwardedOnceUnlessRetried(forwarded, await storedEvents(messageId));
    }
    for (const messageId of this.rejectedIds) {
      if (this.acceptedIds.has(messageId)) continue;
      const view = await messageView(messageId);
      expect(JSON.stringify(view), `state of rejected message ${JSON.stringify(messageId)}`).toBe("null");
      if (isWellFormed(messageId)) expect(await forwardsTo(messageId)).toEqual([]);
    }
  }
}

/**
 * What the operator API shows of a message (null for its 404), or, for an id a URL cannot carry (a lone
 * surrogate), what its Durable Object holds.
 */
async function messageView(messageId: string): Promise<MessageView | null> {
  if (!isWellFormed(messageId)) return env.MESSAGE_TRACKER.getByName(messageId).snapshot();
  const response = await admin(`/messages/${encodeURIComponent(messageId)}`);
  if (response.status === 404) return null;
  expect(response.status, `GET /messages/:id for ${JSON.stringify(messageId)}`).toBe(200);
  return (await response.json()) as MessageView;
}

function sortedJson(items: unknown[]): string {
  return JSON.stringify(items.map((item) => JSON.stringify(item)).sort());
}

/** The event objects a body holds: the array's items, or the bare object. */
export function eventDocuments(documents: unknown): Doc[] {
  const items = Array.isArray(documents) ? documents : [documents];
  return items.filter(
    (item): item is Doc => item !== null && typeof item === "object" && !Array.isArray(item),
  );
}

function messageIdsOf(events: Doc[]): string[] {
  return events.flatMap((event) => {
    const message = event.message as Doc | undefined;
    const id = message !== null && typeof message === "object" ? message.id : undefined;
    return typeof id === "string" && id !== "" ? [id] : [];
  });
}

/** The recording downstream is queried by URL, which cannot carry a lone surrogate. */
export function isWellFormed(value: string): boolean {
  return !/\p{Cs}/u.test(value);
}

async function forwardsTo(messageId: string): Promise<string[]> {
  const response = await fetch(`http://recorder.test/forwards?subject=${encodeURIComponent(messageId)}`);
  const list = (await response.json()) as Array<{ headers: Record<string, string> }>;
  return list.map((forward) => forward.headers["webhook-id"] ?? "");
}

/** A `4xx` body, or (`quarantined`) a `200` that holds events: names the event and field, echoes nothing. */
function expectErrorBody(
  response: Response,
  text: string,
  expected: Expectation,
  documents: unknown,
  quarantined = false,
): void {
  expect(response.headers.get("content-type") ?? "").toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error?: unknown; issues?: Array<{ index: number; path: string }> };
  if (!quarantined) expect(typeof body.error).toBe("string");
  if (expected.status === 400 && expected.index !== undefined) {
    const { index, path = "" } = expected;
    const named = (body.issues ?? []).some((issue) => issue.index === index && issue.path.startsWith(path));
    expect(named, `an issue at index ${index}, path ${path}: ${text}`).toBe(true);
  }
  const answer = `${text}\n${[...response.headers].map(([name, value]) => `${name}: ${value}`).join("\n")}`;
  expectNoLeak(answer, echoCandidates(documents), "the answer to an invalid callback");
}

/** Input strings that must never come back: values and unknown keys of 8 characters or more. */
export function echoCandidates(documents: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key: string | undefined): void => {
    if (typeof value === "string") {
      if (value.length >= 8 && !(key !== undefined && NOT_SECRET.has(key))) found.push(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
    } else if (value !== null && typeof value === "object") {
      for (const [name, item] of Object.entries(value)) {
        if (name.length >= 8 && !KNOWN_KEYS.has(name)) found.push(name);
        visit(item, name);
      }
    }
  };
  visit(documents, undefined);
  return found;
}

function expectNoPrototypePollution(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Doc).polluted).toBeUndefined();
}
