/**
 * DeliveryRateLimiter: one Durable Object per destination that has a `maxPerSecond`, reached with
 * getByName(destination name). It holds the destination's token bucket (forward/rate-limit.ts) and hands out
 * delivery permits to the MessageTrackers: several at once while tokens last, otherwise one reserved for a later
 * slot, or a time to ask again. The bucket lives in memory only: it writes nothing. An object that restarts
 * starts with a full bucket, which costs the destination at most one extra burst (a tenth of a second's worth); one
 * that was idle long enough to be evicted had a full bucket anyway.
 */
import { DurableObject } from "cloudflare:workers";
import { type Bucket, fullBucket, type PermitGrant, takePermits } from "../forward/rate-limit.ts";

/** What a tracker asks for: permits for its next `wanted` attempts, at the destination's current limit. */
export interface PermitRequest {
  maxPerSecond: number;
  wanted: number;
  /** The message asking, and how many of its events wait for this destination: counted while they wait. */
  messageId: string;
  pending: number;
}

/** What the limiter has done since it started, for GET /destinations. */
export interface RateLimiterStatus {
  /**
   * Events waiting on the limit: those of the messages that hold a permit for a later slot, or were told to ask
   * again later, and whose wait has not ended.
   */
  waiting: number;
  /** Permits handed out (at once or for a later slot). */
  granted: number;
  /** Requests refused (beyond the reservation horizon), each told when to ask again. */
  denied: number;
  /** Since when these counts run (the object's start). */
  since: string;
}

/** More waiting messages than are worth tracking one by one; past it the oldest are forgotten. */
const MAX_TRACKED_WAITERS = 10_000;

export class DeliveryRateLimiter extends DurableObject<Env> {
  private bucket: Bucket | undefined;
  private rate = 0;
  private granted = 0;
  private denied = 0;
  private readonly since = new Date().toISOString();
  /** The messages waiting on the limiter, with the end of their wait and their events waiting. */
  private readonly waiters = new Map<string, { until: number; events: number }>();

  /** Permits for a tracker's next attempts to this destination. */
  async acquire(request: PermitRequest): Promise<PermitGrant> {
    const now = Date.now();
    // A changed limit starts the bucket over at the new rate (full, as after a restart).
    if (!this.bucket || this.rate !== request.maxPerSecond) {
      this.rate = request.maxPerSecond;
      this.bucket = fullBucket(this.rate, now);
    }
    const { bucket, grant } = takePermits(this.bucket, this.rate, request.wanted, now, Math.random());
    this.bucket = bucket;
    this.granted += grant.count;
    if (grant.count === 0) this.denied += 1;
    const waitUntil = "retryAt" in grant ? grant.retryAt : grant.from;
    this.waiters.delete(request.messageId);
    if (waitUntil > now) {
      if (this.waiters.size >= MAX_TRACKED_WAITERS) {
        const oldest = this.waiters.keys().next();
        if (!oldest.done) this.waiters.delete(oldest.value);
      }
      this.waiters.set(request.messageId, { until: waitUntil, events: Math.max(1, request.pending) });
    }
    return grant;
  }

  /** The counts since the object started, and how many messages wait on it now. */
  async status(): Promise<RateLimiterStatus> {
    const now = Date.now();
    let waiting = 0;
    for (const [messageId, { until, events }] of this.waiters) {
      if (until <= now) this.waiters.delete(messageId);
      else waiting += events;
    }
    return { waiting, granted: this.granted, denied: this.denied, since: this.since };
  }
}
