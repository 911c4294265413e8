/**
 * One media round for a message's alarm, before its inbound event is forwarded: which URLs to copy, one call
 * of copyMedia, and the plan (forward now, or hold the event and retry). What the tracker stores between rounds
 * is {@link MediaRound}. Also which events carry media at all.
 */
import { createBandwidthApi } from "../bandwidth/api-client.ts";
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import { copyMedia, type MediaCopy } from "./copy.ts";
import { type MediaCopyPlan, planMediaCopies } from "./copy-schedule.ts";
import type { MediaCopySettings } from "./settings.ts";

/** What a message keeps about its media copies between rounds. */
export interface MediaRound {
  copies: MediaCopy[];
  firstAttemptAt: number;
  rounds: number;
}

/** The media URLs of an event that should be copied: an inbound event's `message.media`, else none. */
export function inboundMediaUrls(event: BandwidthEventOutput): string[] {
  if (event.message.direction !== "in") return [];
  return (event.message.media ?? []).filter((url) => typeof url === "string");
}

/**
 * Copies (or copies again what is to retry) the media of `messageId`, and says whether to forward now.
 * `previous` is what the last round stored; absent on the first round.
 */
export async function copyMediaRound(
  input: { messageId: string; urls: readonly string[]; previous?: MediaRound; now: number },
  deps: { settings: MediaCopySettings; fetch?: typeof fetch; now?: () => number },
): Promise<{ round: MediaRound; plan: MediaCopyPlan }> {
  const api = createBandwidthApi(deps.settings.api, deps.fetch ? { fetch: deps.fetch } : {});
  const copies = await copyMedia(
    { messageId: input.messageId, urls: input.urls, previous: input.previous?.copies },
    { api, bucket: deps.settings.links.bucket },
  );
  const round: MediaRound = {
    copies,
    firstAttemptAt: input.previous?.firstAttemptAt ?? input.now,
    rounds: (input.previous?.rounds ?? 0) + 1,
  };
  const now = deps.now?.() ?? input.now;
  const plan = planMediaCopies(copies, { firstAttemptAt: round.firstAttemptAt, rounds: round.rounds, now });
  if (plan.kind === "forward") round.copies = plan.copies;
  return { round, plan };
}
