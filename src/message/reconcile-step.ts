/**
 * One reconciliation step for a message's alarm: decide (reconcile.ts), and when a lookup is due, ask Bandwidth's
 * List Messages API once and turn its answer into events to ingest (reconciled-event.ts). Pure but for that one
 * API call; it never sleeps (a 429 becomes a later `notBefore`) and never throws.
 */
import type { BandwidthApi } from "../bandwidth/api-client.ts";
import type { IngestItem } from "./accept.ts";
import {
  giveUpRecord,
  type ReconcileDecision,
  type ReconcileGiveUp,
  type ReconcileProgress,
  type ReconcileSettings,
  reconcileDecision,
  recordLookup,
} from "./reconcile.ts";
import { reconciledEvents, toIngestItems } from "./reconciled-event.ts";
import type { MessageState } from "./status.ts";

/** What the step did; store `progress` (and `record`) and ingest `items` like a callback batch. */
export type ReconcileStep =
  /** Nothing to reconcile (inbound, or every recipient settled): no reconciliation wake. */
  | { kind: "none" }
  /** Not due: wake at `at`. */
  | { kind: "wait"; at: number }
  /** Bandwidth answered: ingest `items` (possibly none), store `progress`, then decide again. */
  | { kind: "answered"; progress: ReconcileProgress; items: IngestItem[]; stillUnsettled: string[] }
  /** The lookup failed (429, 5xx, timeout, refused credentials): store `progress`, wake at its `notBefore`. */
  | { kind: "failed"; progress: ReconcileProgress; failure: string }
  /** Given up: store, log and list `record`; never look again for this message. */
  | { kind: "given-up"; record: ReconcileGiveUp };

/** Runs reconciliation for one message now: at most one List Messages call. */
export async function reconcileStep(
  input: { state: MessageState; messageTime: string; progress: ReconcileProgress; now: number },
  deps: { api: BandwidthApi; accountId: string; settings: ReconcileSettings; now?: () => number },
): Promise<ReconcileStep> {
  const { state, messageTime, progress, now } = input;
  const messageTimeMs = Date.parse(messageTime);
  const decision = reconcileDecision({ state, messageTimeMs, progress, settings: deps.settings, now });
  if (decision.kind === "none" || decision.kind === "wait") return decision;
  if (decision.kind === "give-up") {
    const record = giveUpRecord({
      messageId: state.header.id,
      recipients: decision.recipients,
      messageTime,
      progress,
      now,
    });
    return { kind: "given-up", record };
  }
  const result = await deps.api.listMessages(deps.accountId, state.header.id);
  const finished = deps.now?.() ?? now;
  if (!result.ok) {
    const retryAfterMs = result.kind === "rate-limited" ? result.retryAfterMs : undefined;
    const outcome = { answered: false as const, kind: result.kind, retryAfterMs };
    return { kind: "failed", progress: recordLookup(progress, outcome, finished), failure: result.kind };
  }
  const found = reconciledEvents({
    state,
    messageTime,
    recipients: decision.recipients,
    items: result.value.items,
    now: finished,
  });
  return {
    kind: "answered",
    progress: recordLookup(progress, { answered: true }, finished),
    items: await toIngestItems(found.events),
    stillUnsettled: found.stillUnsettled,
  };
}

/** When the alarm should next wake for reconciliation: undefined for never, `now` when something is due. */
export function reconcileWake(decision: ReconcileDecision, now: number): number | undefined {
  if (decision.kind === "none") return undefined;
  return decision.kind === "wait" ? decision.at : now;
}
