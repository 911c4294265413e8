/**
 * Draining a MessageTracker's outbox from its alarm: the head event, strictly in sequence order, one forward
 * attempt at a time, each outcome recorded before the next. Short backoffs are waited inside the running alarm
 * (alarms re-armed from inside alarm() have been seen not to fire under `wrangler dev`); longer ones end the
 * run and leave the next alarm to the tracker.
 */
import type { Config } from "../config.ts";
import { toCloudEvent } from "../forward/cloud-event.ts";
import { deliverOnce } from "../forward/deliver.ts";
import { pendingHead, recordAttempt } from "../forward/outbox.ts";
import { log } from "../log.ts";
import type { EventRecord } from "../message/records.ts";
import type { MessageStore } from "./message-store.ts";

/** The steps of an alarm where a failure is possible; tests inject one at each. */
export type AlarmStep = "lists" | "deliver" | "record" | "expire" | "schedule";

/** How long one alarm run may keep draining before it hands over to the next alarm. */
const DRAIN_BUDGET_MS = 25_000;
/** Backoffs up to this long are waited inside the running alarm instead of relying on a re-armed alarm. */
const INLINE_WAIT_MS = 2_000;

/** What the drain needs from its tracker. */
export interface DrainHooks {
  faultPoint(step: AlarmStep): void;
  /** Called after an event died, to list it. */
  onDead(): Promise<void>;
}

/** Forwards pending events in order until none is due, the run's budget is spent or a backoff is long. */
export async function drainOutbox(store: MessageStore, config: Config, hooks: DrainHooks): Promise<void> {
  const stopAt = Date.now() + DRAIN_BUDGET_MS;
  for (let head = pendingHead(store.message().events); head; head = pendingHead(store.message().events)) {
    const wait = (head.nextAttemptAt ?? 0) - Date.now();
    if (wait > 0) {
      if (wait > INLINE_WAIT_MS || Date.now() + wait > stopAt) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
      continue;
    }
    if (Date.now() > stopAt) return;
    if ((await attempt(store, head, config, hooks)) === "dead") await hooks.onDead();
  }
}

/** One forward attempt of the head event; returns what became of it, or undefined if it changed meanwhile. */
async function attempt(
  store: MessageStore,
  head: EventRecord,
  config: Config,
  hooks: DrainHooks,
): Promise<"delivered" | "retry" | "dead" | undefined> {
  const { event, eventId, seq, attempts } = head;
  const body = JSON.stringify(toCloudEvent(event, { id: eventId, sequence: seq, status: head.statusAfter }));
  hooks.faultPoint("deliver");
  const report = await deliverOnce(config.downstream, eventId, body);
  // The object took other calls during the fetch: act only if the event is still the attempt we made.
  const current = store.message().events.find((record) => record.seq === seq);
  if (current?.forwardState !== "pending" || current.attempts !== attempts) return undefined;
  const now = Date.now();
  hooks.faultPoint("record");
  const verdict = store.change(() => ({
    result: recordAttempt(current, report.outcome, config.retry, now),
    activityAt: now,
  }));
  log(verdict === "delivered" ? "info" : "warn", "forward_attempt", {
    messageId: event.message.id,
    eventId,
    sequence: seq,
    attempt: attempts + 1,
    outcome: verdict,
    status: report.outcome.kind === "response" ? report.outcome.status : report.outcome.kind,
    latencyMs: report.latencyMs,
  });
  return verdict;
}
