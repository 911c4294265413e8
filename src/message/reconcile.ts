/**
 * Reconciliation's decisions, pure: which outbound recipients still lack a terminal status, when a message's
 * alarm should next ask Bandwidth's List Messages API about them, and when to give up. The first lookup is
 * RECONCILE_AFTER_HOURS after `message.time` (after Bandwidth's 2 h 9902 window); then the gaps double from
 * one hour up to a day, with a last lookup at RECONCILE_MAX_AGE_HOURS. A failed lookup (429, 5xx, timeout)
 * does not count: it is retried after its Retry-After or a capped backoff, at most FINAL_GRACE_MS past the
 * last slot. Then the message is given up on, and a {@link ReconcileGiveUp} record says what was left.
 */
import type { ReconcileSettings } from "../media/settings.ts";
import type { MessageState } from "./status.ts";

export type { ReconcileSettings } from "../media/settings.ts";

/** What a message remembers of its lookups (stored by the tracker; start from {@link NO_LOOKUPS}). */
export interface ReconcileProgress {
  /** Lookups Bandwidth answered. */
  lookups: number;
  /** When Bandwidth last answered one. */
  lastLookupAt?: number;
  /** Failed lookups in a row, reset by an answer. */
  failures: number;
  /** No lookup before this: a 429's Retry-After, or a failure's backoff. */
  notBefore?: number;
  /** The last outcome, for the operator: `answered`, or the failure's kind. */
  lastOutcome?: string;
}

/** Progress before the first lookup. */
export const NO_LOOKUPS: ReconcileProgress = { lookups: 0, failures: 0 };

/** What the alarm should do about reconciliation now. */
export type ReconcileDecision =
  /** Nothing to reconcile: an inbound message, or every recipient is settled. */
  | { kind: "none" }
  /** Not yet: look again at `at` (fold it into the alarm's next wake). */
  | { kind: "wait"; at: number }
  /** Call listMessages now for these recipients. */
  | { kind: "lookup"; recipients: string[] }
  /** Stop asking: record {@link giveUpRecord} for these recipients and never look again. */
  | { kind: "give-up"; recipients: string[] };

/** What is kept, logged and listed for the operator when a message is given up on. */
export interface ReconcileGiveUp {
  messageId: string;
  /** The outbound recipients still without a terminal status. */
  recipients: string[];
  messageTime: string;
  givenUpAt: number;
  lookups: number;
  lastOutcome: string;
}

const HOUR_MS = 3_600_000;
/** The first gap between lookups; each next one doubles, up to MAX_STEP_MS. */
const FIRST_STEP_MS = HOUR_MS;
const MAX_STEP_MS = 24 * HOUR_MS;
/** Backoff after a failed lookup: 5 min doubling to 1 h. */
const FAILURE_BACKOFF_MS = 5 * 60_000;
const MAX_FAILURE_BACKOFF_MS = HOUR_MS;
/** How long past the last slot a failing lookup is still retried. */
export const FINAL_GRACE_MS = 6 * HOUR_MS;

/** The outbound recipients without a terminal status (delivered, failed) or a read; none for inbound. */
export function unsettledRecipients(state: MessageState): string[] {
  if (state.header.direction !== "out") return [];
  return Object.entries(state.recipients)
    .filter(([, recipient]) => !recipient.terminal && !recipient.read)
    .map(([recipient]) => recipient)
    .sort();
}

/** When lookups are due, as offsets from `message.time`: after, then doubling gaps, then the max age. */
export function lookupOffsets(settings: ReconcileSettings): number[] {
  const offsets: number[] = [];
  let step = FIRST_STEP_MS;
  for (
    let at = settings.afterMs;
    at < settings.maxAgeMs;
    at += step, step = Math.min(MAX_STEP_MS, step * 2)
  ) {
    offsets.push(at);
  }
  offsets.push(settings.maxAgeMs);
  return offsets;
}

/** The first slot after the last answered lookup, or undefined when every slot has had its answer. */
export function nextSlotAt(messageTimeMs: number, progress: ReconcileProgress, settings: ReconcileSettings) {
  const last = progress.lastLookupAt;
  return lookupOffsets(settings)
    .map((offset) => messageTimeMs + offset)
    .find((slot) => last === undefined || slot > last);
}

/** What reconciliation should do now for a message of time `messageTimeMs` in `state`. */
export function reconcileDecision(input: {
  state: MessageState;
  messageTimeMs: number;
  progress: ReconcileProgress;
  settings: ReconcileSettings;
  now: number;
}): ReconcileDecision {
  const { state, messageTimeMs, progress, settings, now } = input;
  const recipients = unsettledRecipients(state);
  if (recipients.length === 0) return { kind: "none" };
  const slot = nextSlotAt(messageTimeMs, progress, settings);
  if (slot === undefined || now >= messageTimeMs + settings.maxAgeMs + FINAL_GRACE_MS) {
    return { kind: "give-up", recipients };
  }
  const due = Math.max(slot, progress.notBefore ?? 0);
  return due <= now ? { kind: "lookup", recipients } : { kind: "wait", at: due };
}

/** How a lookup ended: answered (whatever it held), or a failure with its kind and a Retry-After. */
export type LookupOutcome = { answered: true } | { answered: false; kind: string; retryAfterMs?: number };

/** The progress after a lookup that ended at `now`. */
export function recordLookup(
  progress: ReconcileProgress,
  outcome: LookupOutcome,
  now: number,
): ReconcileProgress {
  if (outcome.answered) {
    return { lookups: progress.lookups + 1, lastLookupAt: now, failures: 0, lastOutcome: "answered" };
  }
  const failures = progress.failures + 1;
  const backoff = Math.min(MAX_FAILURE_BACKOFF_MS, FAILURE_BACKOFF_MS * 2 ** (failures - 1));
  const next: ReconcileProgress = {
    ...progress,
    failures,
    // A 429's Retry-After says when to come back; other failures back off.
    notBefore: now + (outcome.retryAfterMs === undefined ? backoff : Math.max(outcome.retryAfterMs, 1_000)),
    lastOutcome: outcome.kind,
  };
  return next;
}

/** The record kept when a message is given up on (store it, log it, list it). */
export function giveUpRecord(input: {
  messageId: string;
  recipients: string[];
  messageTime: string;
  progress: ReconcileProgress;
  now: number;
}): ReconcileGiveUp {
  return {
    messageId: input.messageId,
    recipients: [...input.recipients],
    messageTime: input.messageTime,
    givenUpAt: input.now,
    lookups: input.progress.lookups,
    lastOutcome: input.progress.lastOutcome ?? "never looked up",
  };
}
