/**
 * The mass dead-lettering scenario (issue #15): a receiver forwarding to a downstream that refuses every event
 * with a permanent 400 (dead at the first attempt), 5,000 callbacks of distinct messages sent at a bounded
 * concurrency, then `GET /dead-letters` polled, every page, until it lists every event. Every request is timed.
 * Starts its own downstream and `wrangler dev` (harness/receiver.ts) and stops them at the end, on failure too.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { startDownstream } from "../harness/downstream.ts";
import {
  ADMIN_TOKEN,
  CALLBACK_CREDENTIALS,
  DOWNSTREAM_SECRET,
  type Receiver,
  startReceiver,
} from "../harness/receiver.ts";
import { sleep } from "../harness/wait.ts";
import {
  DEAD_LETTER_PAGE_LIMIT,
  DeadLetterListPageSchema,
  deadLetterKey,
  type ListedDeadLetter,
  matchListing,
} from "./lib/dead-letter-listing.ts";
import { type DeadLetterFigures, deadLetterFigures, type TimedRequest } from "./lib/dead-letters.ts";
import { MixPlanner } from "./lib/mix.ts";

/** How to run the scenario. */
export interface MassDeadLetteringOptions {
  /** Callbacks to send, one event of a distinct message each (default 5,000). */
  events?: number;
  /** Callbacks in flight at once (default 16); the listings run beside them, one request at a time. */
  concurrency?: number;
  /** Seconds to wait, after the last callback was answered, for the list to have every event (default 300). */
  drainTimeoutS?: number;
  /** Pause between two complete listings (default 2,000 ms). */
  pollIntervalMs?: number;
}

/** Bandwidth gives up on a callback after 10 s; a list request gets as long. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Listings timed once the run has settled, one request at a time. */
const QUIET_PASSES = 3;
/**
 * The harness's fast tuning forwards with a 2 s timeout; on a busy machine an attempt can exceed it and be
 * retried (a timeout is transient) before its 400 kills it. Each event should die at its one attempt.
 */
const RECEIVER_VARS = { FORWARD_TIMEOUT_MS: "10000" };
/** One sending callback per message: the mix without groups, failures or retries. */
const ONE_EVENT_PER_MESSAGE = { group: 0, groupMin: 1, groupMax: 1, failure: 0, retry: 0 };

function note(text: string): void {
  console.error(`[bench dead-letters] ${text}`);
}

/**
 * `count` callbacks, each the `message-sending` event of a new message, and the keys their dead letters will
 * have. The planner is never told of an answer, so it never releases a message's follow-ups.
 */
function plannedCallbacks(count: number): { bodies: string[]; keys: string[] } {
  const planner = new MixPlanner(ONE_EVENT_PER_MESSAGE, 15);
  const bodies: string[] = [];
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const request = planner.next();
    const [messageId = "", type = ""] = (request.events[0] ?? "").split(" ");
    bodies.push(request.body);
    keys.push(deadLetterKey(messageId, type));
  }
  return { bodies, keys };
}

/** Runs `request`, timing it until its whole body was read; a socket error or timeout is status 0. */
async function timed(
  request: Pick<TimedRequest, "kind" | "quiet">,
  started: number,
  requests: TimedRequest[],
  send: () => Promise<Response>,
): Promise<{ status: number; body: unknown }> {
  const at = performance.now();
  let status = 0;
  let body: unknown;
  try {
    const response = await send();
    body = await response.json().catch(() => undefined);
    status = response.status;
  } catch {
    status = 0;
  }
  const ms = Math.round(performance.now() - at);
  requests.push({ ...request, startMs: Math.round(at - started), ms, status });
  return { status, body };
}

/** Sends every body with `concurrency` requests in flight; returns the sums of the receiver's answers. */
async function sendCallbacks(
  receiver: Receiver,
  bodies: readonly string[],
  concurrency: number,
  started: number,
  requests: TimedRequest[],
): Promise<{ accepted: number; duplicates: number }> {
  const { username, password } = CALLBACK_CREDENTIALS;
  const authorization = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  const sums = { accepted: 0, duplicates: 0 };
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < bodies.length; index = next++) {
      const { body } = await timed({ kind: "ingest" }, started, requests, () =>
        fetch(`${receiver.baseUrl}/callbacks/messaging`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: bodies[index] ?? "",
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }),
      );
      const ack = v.safeParse(v.object({ accepted: v.number(), duplicates: v.number() }), body);
      if (ack.success) {
        sums.accepted += ack.output.accepted;
        sums.duplicates += ack.output.duplicates;
      }
      if (index > 0 && index % 1000 === 0) note(`sent ${index} of ${bodies.length} callbacks`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return sums;
}

/** Every page of `GET /dead-letters` at the largest limit, or undefined when a request failed. */
async function listAll(
  receiver: Receiver,
  started: number,
  requests: TimedRequest[],
  quiet = false,
): Promise<{ items: ListedDeadLetter[]; total: number } | undefined> {
  const items: ListedDeadLetter[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const query = `limit=${DEAD_LETTER_PAGE_LIMIT}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const { status, body } = await timed(
      { kind: "list", ...(quiet ? { quiet } : {}) },
      started,
      requests,
      () =>
        fetch(`${receiver.baseUrl}/dead-letters?${query}`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        }),
    );
    const parsed = v.safeParse(DeadLetterListPageSchema, body);
    if (status !== 200 || !parsed.success) return undefined;
    items.push(...parsed.output.items);
    cursor = parsed.output.nextCursor;
    if (cursor === undefined) return { items, total: parsed.output.total };
  }
  return undefined;
}

/** The receiver's side of the run: everything it observed, for {@link deadLetterFigures}. */
async function drive(receiver: Receiver, options: Required<MassDeadLetteringOptions>) {
  const { bodies, keys } = plannedCallbacks(options.events);
  const requests: TimedRequest[] = [];
  const started = performance.now();
  let ingestEnd: number | undefined;
  let lastListing: { items: ListedDeadLetter[]; total: number } = { items: [], total: 0 };
  let passes = 0;
  let allListedMs: number | null = null;
  // Lists from the start, so that list requests are timed while the dead letters pour in too.
  const poll = async () => {
    for (let round = 0; round < 1_000_000; round++) {
      const listing = await listAll(receiver, started, requests);
      if (listing) {
        passes++;
        lastListing = listing;
        const { missing } = matchListing(keys, listing.items);
        if (missing === 0) {
          allListedMs = Math.round(performance.now() - started);
          return;
        }
        if (round % 10 === 0) note(`listed ${keys.length - missing} of ${keys.length} dead events`);
      }
      if (ingestEnd !== undefined && performance.now() - ingestEnd > options.drainTimeoutS * 1000) return;
      await sleep(options.pollIntervalMs);
    }
  };
  const polling = poll();
  note(`sending ${bodies.length} callbacks at ${options.concurrency} in flight`);
  const sums = await sendCallbacks(receiver, bodies, options.concurrency, started, requests);
  ingestEnd = performance.now();
  note(`sent; waiting up to ${options.drainTimeoutS} s until GET /dead-letters lists every event`);
  await polling;
  if (allListedMs !== null) {
    note(`every event listed; timing ${QUIET_PASSES} listings with nothing else in flight`);
    for (let pass = 0; pass < QUIET_PASSES; pass++) await listAll(receiver, started, requests, true);
  }
  return { keys, requests, sums, lastListing, passes, allListedMs };
}

/**
 * Runs the mass dead-lettering scenario against a fresh `wrangler dev` (temporary `--persist-to`) and returns
 * its figures; `deadLetterTargets` (bench/lib/dead-letters.ts) checks them.
 */
export async function runMassDeadLettering(
  options: MassDeadLetteringOptions = {},
): Promise<DeadLetterFigures> {
  const settings: Required<MassDeadLetteringOptions> = {
    events: options.events ?? 5000,
    concurrency: options.concurrency ?? 16,
    drainTimeoutS: options.drainTimeoutS ?? 300,
    pollIntervalMs: options.pollIntervalMs ?? 2000,
  };
  // As in the other scenarios: wrangler's local trace collector is development tooling production does not run.
  process.env.X_LOCAL_OBSERVABILITY = process.env.X_LOCAL_OBSERVABILITY ?? "false";
  const loadAtStart = loadavg()[0] ?? 0;
  const downstream = await startDownstream(DOWNSTREAM_SECRET);
  // A permanent 4xx is never retried: each event dies at its first attempt.
  downstream.behaveByDefault(() => ({ status: 400, body: "bench: every event is refused" }));
  const persistTo = await mkdtemp(join(tmpdir(), "bench-dead-letters-"));
  let receiver: Receiver | undefined;
  try {
    note("starting wrangler dev");
    receiver = await startReceiver({ downstreamUrl: downstream.url, persistTo, vars: RECEIVER_VARS });
    const observed = await drive(receiver, settings);
    return deadLetterFigures({
      params: settings,
      sent: observed.keys,
      accepted: observed.sums.accepted,
      duplicates: observed.sums.duplicates,
      forwardAttempts: downstream.requests().length,
      requests: observed.requests,
      lastListing: observed.lastListing,
      passes: observed.passes,
      allListedMs: observed.allListedMs,
      loadAverage: { atStart: loadAtStart, atEnd: loadavg()[0] ?? 0 },
    });
  } finally {
    await receiver?.stop().catch((error: unknown) => note(`stopping wrangler dev failed: ${String(error)}`));
    await downstream.close();
    await rm(persistTo, { recursive: true, force: true });
  }
}
