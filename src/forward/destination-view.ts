/**
 * A destination as the operator sees it in GET /destinations: its kind, its filter, the URL's host only (never
 * its path, query or secret) or the queue binding's name, and its health.
 */
import type { DestinationStatus } from "./destination-health.ts";
import type { Destination, DestinationFilter } from "./destination-schema.ts";

/** A destination's health: `paused` wins over `failing`, which wins over `healthy`. */
export interface DestinationHealthView {
  state: "healthy" | "failing" | "paused";
  /** Failing: since the run's first failure. Paused: since the pause. Healthy: since it last recovered. */
  since?: string;
  consecutiveFailures?: number;
  lastError?: string;
}

/** What a rate-limited destination's limiter has done (objects/delivery-rate-limiter.ts). */
export interface RateLimitView {
  waiting: number;
  granted: number;
  denied: number;
  since: string;
}

interface DestinationViewBase {
  name: string;
  filter?: DestinationFilter;
  timeoutMs: number;
  maxAgeHours: number;
  maxPerSecond?: number;
  rateLimit?: RateLimitView;
  health: DestinationHealthView;
}

/** One destination of GET /destinations. */
export type DestinationView =
  | (DestinationViewBase & { kind: "http"; host: string })
  | (DestinationViewBase & { kind: "queue"; queue: string });

/** The health an operator sees, from the health object's status. */
export function toHealthView(status: DestinationStatus): DestinationHealthView {
  const state = status.paused ? "paused" : status.state;
  const since = status.paused ? status.pausedAt : status.since;
  const view: DestinationHealthView = { state };
  if (since !== undefined) view.since = since;
  if (status.consecutiveFailures !== undefined) view.consecutiveFailures = status.consecutiveFailures;
  if (status.lastError !== undefined) view.lastError = status.lastError;
  return view;
}

/** The operator's view of a destination, its health and (when it has a limit) its limiter's counts. */
export function toDestinationView(
  destination: Destination,
  status: DestinationStatus,
  rateLimit?: RateLimitView,
): DestinationView {
  const { name } = destination;
  const rest = {
    ...(destination.filter ? { filter: destination.filter } : {}),
    timeoutMs: destination.timeoutMs,
    maxAgeHours: destination.maxAgeMs / 3_600_000,
    ...(destination.maxPerSecond === undefined ? {} : { maxPerSecond: destination.maxPerSecond }),
    ...(rateLimit ? { rateLimit } : {}),
    health: toHealthView(status),
  };
  if (destination.kind === "queue") return { name, kind: "queue", queue: destination.queue, ...rest };
  return { name, kind: "http", host: new URL(destination.target.url).host, ...rest };
}
