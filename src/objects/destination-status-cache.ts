/**
 * A destination's status as a MessageTracker sees it before an attempt: answered from a per-isolate cache for
 * STATUS_CACHE_MS, so that draining outboxes costs the destination's health object one call per isolate every
 * few seconds, not one per attempt. The price: a pause (or a resume) reaches every tracker within
 * STATUS_CACHE_MS, and an attempt already under way finishes.
 */
import type { DestinationStatus } from "../forward/destination-health.ts";
import { log } from "../log.ts";

/** How long an answer is reused: the longest a pause or resume takes to reach a tracker. */
export const STATUS_CACHE_MS = 5_000;
/** More destinations than any configuration holds; past it the cache starts over rather than growing. */
const MAX_CACHED = 64;

const cache = new Map<string, { status: Promise<DestinationStatus | undefined>; until: number }>();

/** The destination's status, at most STATUS_CACHE_MS old; undefined when its health object cannot be asked. */
function cachedStatus(env: Env, name: string, now: number): Promise<DestinationStatus | undefined> {
  const cached = cache.get(name);
  if (cached && cached.until > now) return cached.status;
  const status = env.DESTINATION_HEALTH.getByName(name)
    .status()
    .then(
      (answer): DestinationStatus => answer,
      (error: unknown) => {
        log("warn", "destination_status_unknown", { destination: name, error: String(error).slice(0, 200) });
        return undefined;
      },
    );
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(name, { status, until: now + STATUS_CACHE_MS });
  return status;
}

/**
 * Whether the destination `name` is paused, as of at most STATUS_CACHE_MS ago. When its health object cannot be
 * asked the answer is "not paused": a missed pause delays nothing, while a stuck one would hold every event.
 */
export async function isPaused(env: Env, name: string, now = Date.now()): Promise<boolean> {
  return (await cachedStatus(env, name, now))?.paused ?? false;
}

/**
 * Whether the destination `name` was failing as of at most STATUS_CACHE_MS ago: a tracker then reports its
 * successes too (see shouldReport in destination-health.ts), so that a recovery is noticed even when the
 * failures were other trackers'.
 */
export async function isKnownFailing(env: Env, name: string, now = Date.now()): Promise<boolean> {
  return (await cachedStatus(env, name, now))?.state === "failing";
}

/** Records a status this isolate has just set or received, so that its own trackers see it at once. */
export function rememberStatus(name: string, status: DestinationStatus, now = Date.now()): void {
  cache.set(name, { status: Promise.resolve(status), until: now + STATUS_CACHE_MS });
}
