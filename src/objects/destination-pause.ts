/**
 * Whether a destination is paused, as a MessageTracker asks before an attempt: answered from a per-isolate
 * cache for PAUSE_CACHE_MS, so that draining outboxes costs the destination's health object one call per
 * isolate every few seconds, not one per attempt. The price: a pause (or a resume) reaches every tracker
 * within PAUSE_CACHE_MS, and an attempt already under way finishes.
 */
import { log } from "../log.ts";

/** How long an answer is reused: the longest a pause or resume takes to reach a tracker. */
export const PAUSE_CACHE_MS = 5_000;
/** More destinations than any configuration holds; past it the cache starts over rather than growing. */
const MAX_CACHED = 64;

const cache = new Map<string, { paused: Promise<boolean>; until: number }>();

/**
 * Whether the destination `name` is paused, at most PAUSE_CACHE_MS old. When its health object cannot be
 * asked, the answer is "not paused": a lost pause delays nothing, while a stuck one would hold every event.
 */
export function isPaused(env: Env, name: string, now = Date.now()): Promise<boolean> {
  const cached = cache.get(name);
  if (cached && cached.until > now) return cached.paused;
  const paused = env.DESTINATION_HEALTH.getByName(name)
    .status()
    .then(
      (status) => status.paused,
      (error: unknown) => {
        log("warn", "destination_pause_unknown", { destination: name, error: String(error).slice(0, 200) });
        return false;
      },
    );
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(name, { paused, until: now + PAUSE_CACHE_MS });
  return paused;
}

/** Records a pause state this isolate has just set or read, so that its own trackers see it at once. */
export function rememberPaused(name: string, paused: boolean, now = Date.now()): void {
  cache.set(name, { paused: Promise.resolve(paused), until: now + PAUSE_CACHE_MS });
}
