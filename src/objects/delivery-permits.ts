/**
 * A MessageTracker's delivery permits for its rate-limited destinations: the lease its destination's
 * DeliveryRateLimiter granted (several permits, or one for a later slot), used one attempt at a time, and the
 * time to ask again after a refusal. Kept in memory: a tracker that restarts asks again, and the permits it held
 * are lost, never used twice, so the limit holds. Destinations without a limit never come here.
 */
import type { PermitGrant } from "../forward/rate-limit.ts";
import { log } from "../log.ts";

/** Whether an attempt may start now, or when to look again. */
export type PermitAnswer = { ok: true } | { ok: false; waitUntil: number };

/** How long to wait before asking a limiter again that could not be reached. */
const UNREACHABLE_RETRY_MS = 1_000;
/**
 * A tracker waiting for a slot wakes this much before it and waits the rest inline (outbox-drain.ts waits up to
 * 2 s): an alarm that fires a little late then still finds its permit usable (it lapses 0.8 s after its slot).
 */
const EARLY_WAKE_MS = 1_000;

interface Lease {
  count: number;
  from: number;
  until: number;
}

/** The permits one tracker holds, per destination. */
export class DeliveryPermits {
  private readonly leases = new Map<string, Lease>();
  /** Per destination, no permit is to be asked for before this time (a refusal's retry time). */
  private readonly waits = new Map<string, number>();
  private readonly env: Env;
  private readonly messageId: () => string;

  constructor(env: Env, messageId: () => string) {
    this.env = env;
    this.messageId = messageId;
  }

  /**
   * Takes one permit to start an attempt to `destination` (limited to `maxPerSecond`) now, asking its limiter
   * for up to `pending` permits when no usable one is held.
   */
  async take(destination: string, maxPerSecond: number, pending: number): Promise<PermitAnswer> {
    let lease = this.usableLease(destination, Date.now());
    if (!lease) {
      const waitUntil = this.waits.get(destination) ?? 0;
      if (waitUntil > Date.now()) return { ok: false, waitUntil };
      const grant = await this.ask(destination, maxPerSecond, pending);
      if (grant.count === 0 || !("until" in grant)) {
        const retryAt = "retryAt" in grant ? grant.retryAt : Date.now() + UNREACHABLE_RETRY_MS;
        this.waits.set(destination, retryAt);
        return { ok: false, waitUntil: retryAt };
      }
      this.waits.delete(destination);
      lease = { count: grant.count, from: grant.from, until: grant.until };
      this.leases.set(destination, lease);
    }
    const now = Date.now();
    if (lease.from > now) return { ok: false, waitUntil: lease.from };
    // The answer may have come back late (a busy machine): a permit past its lifetime is lost, never used.
    if (lease.until < now) {
      this.leases.delete(destination);
      return { ok: false, waitUntil: now };
    }
    lease.count -= 1;
    if (lease.count === 0) this.leases.delete(destination);
    return { ok: true };
  }

  /** Per destination, when its tracker must look again (only those that wait): just before a slot, or a retry. */
  notBefore(now = Date.now()): Map<string, number> {
    const times = new Map<string, number>();
    for (const [destination, until] of this.waits) if (until > now) times.set(destination, until);
    for (const [destination, lease] of this.leases) {
      if (lease.from > now) times.set(destination, Math.max(now, lease.from - EARLY_WAKE_MS));
    }
    return times;
  }

  /** The lease of `destination` that is still usable at `now` (its slot may lie ahead), or undefined. */
  private usableLease(destination: string, now: number): Lease | undefined {
    const lease = this.leases.get(destination);
    if (lease && lease.count > 0 && lease.until >= now) return lease;
    // Expired unused: lost, never handed back (the limit counts it as used).
    this.leases.delete(destination);
    return undefined;
  }

  private async ask(destination: string, maxPerSecond: number, pending: number): Promise<PermitGrant> {
    try {
      return await this.env.DELIVERY_RATE_LIMITER.getByName(destination).acquire({
        maxPerSecond,
        wanted: pending,
        messageId: this.messageId(),
        pending,
      });
    } catch (error) {
      // No permit, no attempt: the limit holds while its limiter cannot be reached; the events wait.
      log("warn", "rate_limiter_unreachable", { destination, error: String(error).slice(0, 200) });
      return { count: 0, retryAt: Date.now() + UNREACHABLE_RETRY_MS };
    }
  }
}
