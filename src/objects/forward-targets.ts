/**
 * The configured destinations as the drain sees them: a name, one attempt (a signed HTTP POST) and a retry
 * policy. The one place that turns configuration into I/O for the outboxes.
 */
import type { Config } from "../config.ts";
import { deliverOnce } from "../forward/deliver.ts";
import type { ForwardTarget } from "./outbox-drain.ts";

/** The destination DOWNSTREAM_URL forwards to. */
export const DEFAULT_DESTINATION = "default";

/** Every configured destination, in configuration order. */
export function forwardTargets(config: Config): ForwardTarget[] {
  return [
    {
      name: DEFAULT_DESTINATION,
      send: (eventId, body) => deliverOnce(config.downstream, eventId, body),
      retry: config.retry,
    },
  ];
}

/** Which destinations an accepted event goes to. */
export function routeEvent(_config: Config): (event: unknown) => string[] {
  return () => [DEFAULT_DESTINATION];
}
