/**
 * The delivery rate limit of one destination (`maxPerSecond`): a token bucket that hands out delivery permits,
 * several at once when tokens are there, otherwise one reserved for a later slot. Pure: the DeliveryRateLimiter
 * Durable Object keeps one bucket per destination and calls {@link takePermits}.
 *
 * The promise kept: attempts *started* with these permits, counted over any window of W seconds, are at most
 * burst + (W + 0.8) × rate, the burst being a tenth of a second's worth (at least one permit). A permit is used at
 * or after its slot and at most {@link PERMIT_TTL_MS} later (an unused one is lost, never returned), so the
 * attempts of a window come from permits whose slots fall in a window 0.8 s longer, of which the bucket gives at
 * most its burst plus rate × that length. Over 10 s: 10.9 × rate from a limit of 10 (at most 11 × rate for
 * every limit, the count being whole), within DESIGN.md's 10 × rate plus one second's burst.
 */

/**
 * How long after its slot a permit may still start an attempt: room for a tracker whose alarm or timer fires
 * late. Paid for with a small burst: the two together stay within one second's worth of the rate.
 */
export const PERMIT_TTL_MS = 800;
/** The bucket holds this many seconds' worth of tokens (at least one): the burst an idle destination gets at once. */
export const BURST_SECONDS = 0.1;
/**
 * How far ahead slots are reserved; past it a caller is told to come back later instead. Short: a tracker keeps
 * its permit in memory, and an object idle for about 10 s may be evicted, losing it (the slot is then wasted).
 */
export const RESERVE_HORIZON_MS = 8_000;
/**
 * A refused caller comes back once its slot would fall within the horizon, plus up to this much more (spread by
 * the jitter), so that the callers refused at once do not all come back at once.
 */
export const RETRY_SPREAD_MS = 8_000;
/** The most permits one request is granted. */
export const MAX_LEASE = 10;

/** One destination's bucket: tokens (negative while slots are reserved ahead) as of `at`. */
export interface Bucket {
  tokens: number;
  at: number;
}

/**
 * What a request gets: `count` permits usable from `from` to `until` (count 0 when denied), and, when denied,
 * when to ask again.
 */
export type PermitGrant = { count: number; from: number; until: number } | { count: 0; retryAt: number };

/** The bucket of a destination that has not delivered for a while: full. */
export function fullBucket(rate: number, now: number): Bucket {
  return { tokens: burstOf(rate), at: now };
}

/** The burst (bucket size) of a rate: a tenth of a second's worth, at least one permit. */
export function burstOf(rate: number): number {
  return Math.max(1, rate * BURST_SECONDS);
}

/**
 * Takes up to `wanted` permits at `now` from `bucket` (a destination limited to `rate` per second): as many as
 * whole tokens allow, usable at once; none left, one permit for the next free slot (within the horizon); beyond
 * the horizon none, with the time to ask again (spread by `jitter`, from 0 to 1). Returns the bucket after it.
 */
export function takePermits(
  bucket: Bucket,
  rate: number,
  wanted: number,
  now: number,
  jitter = 0,
): { bucket: Bucket; grant: PermitGrant } {
  const perMs = rate / 1000;
  const at = Math.max(now, bucket.at);
  const tokens = Math.min(burstOf(rate), bucket.tokens + (at - bucket.at) * perMs);
  const want = Math.max(1, Math.min(MAX_LEASE, Math.floor(wanted)));
  if (tokens >= 1) {
    const count = Math.min(want, Math.floor(tokens));
    return { bucket: { tokens: tokens - count, at }, grant: { count, from: at, until: at + PERMIT_TTL_MS } };
  }
  // The slot of one more permit: when the bucket, paying off what is reserved, holds a whole token again.
  const after = tokens - 1;
  const from = at + Math.ceil(-after / perMs);
  if (from - at > RESERVE_HORIZON_MS) {
    // Ask again once a reservation would fall within the horizon, spread so that refused callers come back
    // one by one rather than all together (each return costs a request).
    const retryAt =
      from - RESERVE_HORIZON_MS + Math.round(Math.min(1, Math.max(0, jitter)) * RETRY_SPREAD_MS);
    return { bucket: { tokens, at }, grant: { count: 0, retryAt } };
  }
  return { bucket: { tokens: after, at }, grant: { count: 1, from, until: from + PERMIT_TTL_MS } };
}
