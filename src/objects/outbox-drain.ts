/**
 * Draining a MessageTracker's outboxes from its alarm: for each destination, its head event, strictly in
 * sequence order, one attempt at a time, each outcome recorded before the next. Destinations drain side by
 * side, so that one that is down or slow delays no other. Short backoffs are waited inside the running alarm
 * (alarms re-armed from inside alarm() have been seen not to fire under `wrangler dev`); longer ones end the
 * run and leave the next alarm to the tracker.
 */
import { toCloudEvent } from "../forward/cloud-event.ts";
import type { AttemptReport } from "../forward/deliver.ts";
import {
  expireStaleOf,
  hasRemoved,
  hasStale,
  pendingHead,
  recordAttempt,
  retireRemoved,
} from "../forward/outbox.ts";
import { classifyAttempt, type RetryPolicy } from "../forward/retry.ts";
import { log } from "../log.ts";
import type { EventRecord } from "../message/records.ts";
import { formatTraceparent, newSpanId, traceOf } from "../message/trace-context.ts";
import type { PermitAnswer } from "./delivery-permits.ts";
import type { MessageStore } from "./message-store.ts";

/** The steps of an alarm where a failure is possible; tests inject one at each. */
export type AlarmStep = "lists" | "deliver" | "record" | "flush" | "index" | "expire" | "schedule";

/**
 * How long one destination's loop may keep draining before it hands over to the next alarm (a loop started
 * later in the run, for events accepted meanwhile, has a budget of its own).
 */
export const DRAIN_BUDGET_MS = 25_000;
/** Backoffs up to this long are waited inside the running alarm instead of relying on a re-armed alarm. */
const INLINE_WAIT_MS = 2_000;

/** A destination as the drain sees it: its name, one attempt, and its retry policy. */
export interface ForwardTarget {
  name: string;
  /** One attempt of the event `eventId` (its CloudEvent `body`), as the span `traceparent` names. */
  send(eventId: string, body: string, traceparent: string): Promise<AttemptReport>;
  retry: RetryPolicy;
  /** The destination's rate limit: each attempt to it takes a permit first (absent: none, and no cost). */
  maxPerSecond?: number;
}

/** What the drain needs from its tracker. */
export interface DrainHooks {
  faultPoint(step: AlarmStep): void;
  /** Called after a delivery died, to list it. */
  onDead(): Promise<void>;
  /** Called after every attempt, with whether the delivery's previous attempt had failed; decides what to report. */
  onHealth(
    destination: string,
    result: { ok: boolean; error?: string; lastAttemptFailed: boolean },
  ): Promise<void>;
  /** Whether the destination is paused now (as of its status cache); asked by that destination's loop only. */
  isPaused(destination: string): Promise<boolean>;
  /** Called when a destination's loop found it paused: its events wait (and age). */
  onPaused(destination: string): void;
  /** What an event's CloudEvent `data` gains at this attempt (its media copies' signed links). */
  extraData(record: EventRecord): Promise<Record<string, unknown>>;
  /** A permit for one attempt to a rate-limited destination, or when to look again (delivery-permits.ts). */
  permit(destination: string, maxPerSecond: number, pending: number): Promise<PermitAnswer>;
}

/**
 * One alarm run's drain: a loop per destination, each forwarding its pending events in order until none is
 * due, its budget is spent, a backoff is long or the destination is paused. Each loop asks about its own
 * destination (its pause, its age check) and nothing waits for another's: a loop that ran out of work ends
 * while the others go on, and {@link OutboxDrain.kick} (called when events are accepted during the run) starts
 * it again at once, with a budget of its own, so that a slow destination never holds another's new events
 * until the run ends.
 */
export class OutboxDrain {
  private readonly budgetMs: number;
  /**
   * The loops running now, by destination: owned by the object, not by one drain, so that a later drain never
   * starts a second loop for a destination whose loop (of an earlier run) is still going.
   */
  private readonly running: Map<string, Promise<void>>;
  private readonly store: MessageStore;
  private readonly targets: readonly ForwardTarget[];
  private readonly hooks: DrainHooks;

  /** `targets`: the configured destinations (paused ones included: their loops age their events). */
  constructor(
    store: MessageStore,
    targets: readonly ForwardTarget[],
    hooks: DrainHooks,
    running: Map<string, Promise<void>>,
    budgetMs = DRAIN_BUDGET_MS,
  ) {
    this.running = running;
    this.store = store;
    this.targets = targets;
    this.hooks = hooks;
    this.budgetMs = budgetMs;
  }

  /**
   * Retires the deliveries of destinations no longer in `configured`, then drains until every loop ended
   * (new events accepted meanwhile included).
   */
  async run(configured: ReadonlySet<string>): Promise<void> {
    // A removed destination's pending events die (and are listed); the common case writes nothing.
    const { store } = this;
    const retired = hasRemoved(store.message().events, configured)
      ? store.change((message) => ({ result: retireRemoved(message.events, configured) }))
      : 0;
    if (retired > 0) {
      log("warn", "destination_removed", { messageId: store.cachedId() ?? "", deliveries: retired });
      await this.hooks.onDead();
    }
    this.kick();
    // Every loop ends before the run does (a failed one included): none outlives its alarm.
    let failure: unknown;
    while (this.running.size > 0) {
      for (const result of await Promise.allSettled(this.running.values())) {
        if (result.status === "rejected") failure ??= result.reason;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Starts the loop of every destination that has a pending event and no loop running. */
  kick(): void {
    for (const target of this.targets) {
      if (this.running.has(target.name) || !pendingHead(this.store.message().events, target.name)) continue;
      const stopAt = Date.now() + this.budgetMs;
      const loop = drainDestination(this.store, target, stopAt, this.hooks).finally(() => {
        if (this.running.get(target.name) === loop) this.running.delete(target.name);
      });
      this.running.set(target.name, loop);
    }
  }
}

async function drainDestination(
  store: MessageStore,
  target: ForwardTarget,
  stopAt: number,
  hooks: DrainHooks,
): Promise<void> {
  const { name, retry } = target;
  const head = () => pendingHead(store.message().events, name);
  for (let record = head(); record; record = head()) {
    // The age check comes first, paused or not: an event that waited past its destination's max age dies
    // (listed as dead), on schedule, whatever else holds the outbox.
    const now = Date.now();
    if (hasStale(store.message().events, name, retry, now)) {
      store.change((message) => ({
        result: expireStaleOf(message.events, name, retry, now),
        activityAt: now,
      }));
      await hooks.onDead();
      continue;
    }
    // An inbound event waits for its media copies; the alarm's media round settles them.
    if (record.media && !record.media.settled) return;
    // A pause takes effect within the status cache's few seconds, even in a running drain.
    if (await hooks.isPaused(name)) {
      hooks.onPaused(name);
      return;
    }
    const wait = (record.deliveries[name]?.nextAttemptAt ?? 0) - Date.now();
    if (wait > 0) {
      if (wait > INLINE_WAIT_MS || Date.now() + wait > stopAt) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
      continue;
    }
    if (Date.now() > stopAt) return;
    if (target.maxPerSecond !== undefined) {
      const pending = pendingCount(store.message().events, target.name);
      const permit = await hooks.permit(target.name, target.maxPerSecond, pending);
      if (!permit.ok) {
        // Waits in its outbox (aging as usual) for its slot: inline when short, else the tracker's alarm.
        const until = permit.waitUntil - Date.now();
        if (until > INLINE_WAIT_MS || Date.now() + until > stopAt) return;
        if (until > 0) await new Promise((resolve) => setTimeout(resolve, until));
        continue;
      }
      // The permit is spent on the head as it stands now (another call may have changed it meanwhile).
      if (head() !== record) continue;
    }
    if ((await attempt(store, record, target, hooks)) === "dead") await hooks.onDead();
  }
}

/** How many events wait for `destination` in this message: as many permits as the tracker may ask for. */
function pendingCount(records: readonly EventRecord[], destination: string): number {
  return records.filter((record) => record.deliveries[destination]?.state === "pending").length;
}

/** One forward attempt of a destination's head event; returns what became of it, or undefined if it changed. */
async function attempt(
  store: MessageStore,
  head: EventRecord,
  target: ForwardTarget,
  hooks: DrainHooks,
): Promise<"delivered" | "retry" | "dead" | undefined> {
  const { event, eventId, seq } = head;
  const before = head.deliveries[target.name];
  if (!before) return undefined;
  const { attempts, lastError } = before;
  const trace = traceOf(head);
  const cloudEvent = toCloudEvent(event, { id: eventId, sequence: seq, status: head.statusAfter, trace });
  const body = JSON.stringify({
    ...cloudEvent,
    data: { ...cloudEvent.data, ...(await hooks.extraData(head)) },
  });
  hooks.faultPoint("deliver");
  // Each attempt is a span of its own in the event's trace, a child of the event's span (DESIGN.md).
  const report = await target.send(eventId, body, formatTraceparent(trace.traceId, newSpanId()));
  // The object took other calls during the attempt: act only if the delivery is still the one we tried.
  const current = store.message().events.find((record) => record.seq === seq)?.deliveries[target.name];
  if (current?.state !== "pending" || current.attempts !== attempts) return undefined;
  const now = Date.now();
  hooks.faultPoint("record");
  // A success is noted in memory and written with the message's next write (message-store.ts); a failure is
  // written now: its backoff, or its death and listing, must survive a restart.
  const verdict =
    classifyAttempt(report.outcome) === "delivered"
      ? store.noteDelivered(seq, target.name, now, (delivery) =>
          recordAttempt(delivery, report.outcome, target.retry, now),
        )
      : store.change(() => ({
          result: recordAttempt(current, report.outcome, target.retry, now),
          activityAt: now,
        }));
  log(verdict === "delivered" ? "info" : "warn", "forward_attempt", {
    messageId: event.message.id,
    eventId,
    destination: target.name,
    sequence: seq,
    traceId: trace.traceId,
    attempt: attempts + 1,
    outcome: verdict,
    status: report.outcome.kind === "response" ? report.outcome.status : report.outcome.kind,
    latencyMs: report.latencyMs,
  });
  await hooks.onHealth(target.name, {
    ok: verdict === "delivered",
    lastAttemptFailed: lastError !== null,
    ...(current.lastError === null ? {} : { error: current.lastError }),
  });
  return verdict;
}
