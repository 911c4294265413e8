/**
 * The configured destinations as the MessageTracker sees them: which ones an accepted event goes to (decided
 * once, at acceptance), one attempt of either kind, each one's retry policy, whether it is paused, and the
 * health reports that only failures (and the successes that end them) cost.
 */

import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import type { Config } from "../config.ts";
import { deliverToDestination } from "../forward/deliver-destination.ts";
import { shouldReport } from "../forward/destination-health.ts";
import { retryPolicyFor } from "../forward/destinations.ts";
import { staleAt } from "../forward/outbox.ts";
import { routeTo, routingFacts } from "../forward/routing.ts";
import { log } from "../log.ts";
import type { EventRecord } from "../message/records.ts";
import { isKnownFailing, rememberStatus } from "./destination-status-cache.ts";
import type { ForwardTarget } from "./outbox-drain.ts";

/** When this isolate last reported a failure, per destination (see FAILURE_REPORT_GAP_MS). */
const failureReportedAt = new Map<string, number>();
/** More destinations than any configuration holds; past it the memory starts over rather than growing. */
const MAX_REMEMBERED = 64;

/** Every configured destination, in configuration order. */
export function forwardTargets(env: Env, config: Config): ForwardTarget[] {
  return config.destinations.map((destination) => ({
    name: destination.name,
    send: (eventId, body, traceparent) =>
      deliverToDestination(destination, env, eventId, body, { traceparent }),
    retry: retryPolicyFor(destination, config.retry),
    ...(destination.maxPerSecond === undefined ? {} : { maxPerSecond: destination.maxPerSecond }),
  }));
}

/** Which destinations an accepted event goes to: those whose filter matches it now, for good. */
export function routeEvent(config: Config): (event: BandwidthEventOutput) => string[] {
  return (event) => routeTo(config.destinations, routingFacts(event));
}

/** When the first pending event of a paused destination will be past that destination's max age, or undefined. */
export function pausedStaleAt(
  records: readonly EventRecord[],
  paused: ReadonlySet<string>,
  config: Config,
): number | undefined {
  const times = config.destinations
    .filter((destination) => paused.has(destination.name))
    .map((destination) => staleAt(records, destination.name, retryPolicyFor(destination, config.retry)))
    .filter((time): time is number => time !== undefined);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * Tells a destination's health object about an attempt, when it is news: a failure (at most one a second per
 * destination from this isolate), or a success that ends failures (this delivery's own, or the destination's as
 * known to this isolate). Never throws: health is advice, forwarding must not wait on it.
 */
export async function reportHealth(
  env: Env,
  destination: string,
  result: { ok: boolean; error?: string; lastAttemptFailed: boolean },
): Promise<void> {
  try {
    const destinationFailing =
      result.ok && !result.lastAttemptFailed && (await isKnownFailing(env, destination));
    const at = Date.now();
    const sinceFailureReportMs = at - (failureReportedAt.get(destination) ?? 0);
    const seen = { lastAttemptFailed: result.lastAttemptFailed, destinationFailing, sinceFailureReportMs };
    if (!shouldReport(result.ok, seen)) return;
    if (!result.ok) {
      if (failureReportedAt.size >= MAX_REMEMBERED) failureReportedAt.clear();
      failureReportedAt.set(destination, at);
    }
    const status = await env.DESTINATION_HEALTH.getByName(destination).report(destination, [
      { ok: result.ok, at, ...(result.error === undefined ? {} : { error: result.error }) },
    ]);
    rememberStatus(destination, status, at);
  } catch (error) {
    log("warn", "destination_report_failed", { destination, error: String(error).slice(0, 200) });
  }
}
