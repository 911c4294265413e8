/**
 * The two steps of a MessageTracker's alarm that talk back to Bandwidth: the media round (inbound MMS files
 * copied to R2 before their event is forwarded) and reconciliation (List Messages for outbound recipients that
 * never got a terminal status). Each step decides with the pure modules (src/media/, src/message/reconcile*)
 * and stores what it learned through the message's store; the tracker calls them and schedules what they say.
 */
import { createBandwidthApi } from "../bandwidth/api-client.ts";
import { endMediaHold } from "../forward/outbox.ts";
import { log } from "../log.ts";
import { deleteMediaCopies, type MediaCopy } from "../media/copy.ts";
import { toMediaFiles } from "../media/media-files.ts";
import { copyMediaRound, inboundMediaUrls } from "../media/media-step.ts";
import type { MediaSettings } from "../media/settings.ts";
import type { IngestItem } from "../message/accept.ts";
import {
  NO_LOOKUPS,
  type ReconcileGiveUp,
  type ReconcileProgress,
  reconcileDecision,
} from "../message/reconcile.ts";
import { reconcileStep, reconcileWake } from "../message/reconcile-step.ts";
import type { EventRecord } from "../message/records.ts";
import type { ReconciliationView } from "../message/view.ts";
import type { MessageStore } from "./message-store.ts";

/** What a message remembers of its reconciliation, in its object's key-value storage. */
export interface ReconcileMemory {
  progress: ReconcileProgress;
  givenUp?: ReconcileGiveUp;
}

/** The key-value key of {@link ReconcileMemory}. */
export const RECONCILE_KEY = "reconcile";

/**
 * Copies the media of every held event whose round is due, one round each; returns when the next round is
 * due (undefined when none is held). An event whose copies settled (copied, or failed for good) is released.
 */
export async function mediaRound(
  store: MessageStore,
  media: MediaSettings,
  now: number,
): Promise<number | undefined> {
  const copy = media.copy;
  const held = store.message().events.filter((record) => record.media && !record.media.settled);
  if (held.length === 0) return undefined;
  if (!copy) {
    // Media copies were turned off since: forward the held events without copies.
    store.change((message) => ({ result: releaseAll(message.events) }));
    return undefined;
  }
  for (const record of held) {
    const hold = record.media;
    if (!hold || (hold.retryAt ?? 0) > now) continue;
    const messageId = record.event.message.id;
    const { round, plan } = await copyMediaRound(
      {
        messageId,
        urls: inboundMediaUrls(record.event),
        ...(hold.round ? { previous: hold.round } : {}),
        now,
      },
      { settings: copy },
    );
    store.change((message) => {
      const current = message.events.find((candidate) => candidate.seq === record.seq);
      if (current)
        current.media =
          plan.kind === "forward" ? { settled: true, round } : { settled: false, round, retryAt: plan.at };
      // The hold ends: the event's age starts now (outbox.ts), not at its acceptance.
      if (current && plan.kind === "forward") endMediaHold(message.events, current.seq, Date.now());
      return { result: undefined, activityAt: now };
    });
    log(plan.kind === "forward" ? "info" : "warn", "media_round", {
      messageId,
      eventId: record.eventId,
      copied: round.copies.filter((c) => c.state === "copied").length,
      failed: round.copies.filter((c) => c.state !== "copied").length,
      outcome: plan.kind,
    });
  }
  return nextMediaRound(store.message().events, now);
}

/** When the next media round is due: now for a held event never tried, else its retry time. */
export function nextMediaRound(records: readonly EventRecord[], now: number): number | undefined {
  const times = records.flatMap((r) => (r.media && !r.media.settled ? [r.media.retryAt ?? now] : []));
  return times.length > 0 ? Math.min(...times) : undefined;
}

function releaseAll(records: readonly EventRecord[]): void {
  const now = Date.now();
  for (const record of records)
    if (record.media && !record.media.settled) endMediaHold(records, record.seq, now);
}

/** `data.mediaFiles` of an event at this attempt, with freshly signed links; nothing for an event without. */
export async function mediaData(
  record: EventRecord,
  media: MediaSettings,
  now: number,
): Promise<Record<string, unknown>> {
  const copies = record.media?.round?.copies;
  if (!copies || copies.length === 0 || !media.links) return {};
  return { mediaFiles: await toMediaFiles(record.event.message.id, copies, media.links, now) };
}

/** Deletes the message's media copies (its retention). */
export async function dropMedia(store: MessageStore, media: MediaSettings): Promise<void> {
  const bucket = media.links?.bucket;
  const copies: MediaCopy[] = store.message().events.flatMap((r) => r.media?.round?.copies ?? []);
  if (bucket && copies.length > 0)
    await deleteMediaCopies(bucket, store.message().state?.header.id ?? "", copies);
}

/**
 * Looks Bandwidth up for the outbound recipients still without a terminal status, when due: returns what to
 * ingest (reconciled events, as a callback batch) and the memory to keep.
 */
export async function reconcileRound(
  store: MessageStore,
  media: MediaSettings,
  memory: ReconcileMemory,
  now: number,
): Promise<{ items: IngestItem[]; memory: ReconcileMemory }> {
  const { state, events } = store.message();
  const messageTime = events[0]?.event.message.time;
  if (!media.api || !media.reconcile || !state || !messageTime || memory.givenUp)
    return { items: [], memory };
  const step = await reconcileStep(
    { state, messageTime, progress: memory.progress, now },
    {
      api: createBandwidthApi(media.api),
      accountId: media.api.accountId,
      settings: media.reconcile,
      // A Retry-After counts from the answer, not from when the round began.
      now: () => Date.now(),
    },
  );
  switch (step.kind) {
    case "answered":
      return { items: step.items, memory: { progress: step.progress } };
    case "failed":
      log("warn", "reconcile_failed", { messageId: state.header.id, failure: step.failure });
      return { items: [], memory: { progress: step.progress } };
    case "given-up":
      log("warn", "reconcile_given_up", {
        messageId: state.header.id,
        recipients: step.record.recipients.length,
      });
      return { items: [], memory: { ...memory, givenUp: step.record } };
    default:
      return { items: [], memory };
  }
}

/** What the message view shows of reconciliation. */
export function reconciliationView({ progress, givenUp }: ReconcileMemory): ReconciliationView {
  return {
    lookups: progress.lookups,
    ...(progress.lastOutcome === undefined ? {} : { lastOutcome: progress.lastOutcome }),
    ...(givenUp
      ? { givenUp: { at: new Date(givenUp.givenUpAt).toISOString(), recipients: givenUp.recipients } }
      : {}),
  };
}

/** When reconciliation next needs the alarm (undefined: never). */
export function reconcileDueAt(
  store: MessageStore,
  media: MediaSettings,
  memory: ReconcileMemory | undefined,
  now: number,
): number | undefined {
  const { state, events } = store.message();
  const messageTime = events[0]?.event.message.time;
  if (!media.reconcile || !state || !messageTime || memory?.givenUp) return undefined;
  const decision = reconcileDecision({
    state,
    messageTimeMs: Date.parse(messageTime),
    progress: memory?.progress ?? NO_LOOKUPS,
    settings: media.reconcile,
    now,
  });
  return reconcileWake(decision, now);
}
