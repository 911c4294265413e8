/**
 * The event names a destination's `filter.events` may hold: the normalized names (`delivered`, `received`,
 * `location-response`, …) and, as aliases, Bandwidth's own type names (`message-delivered`, the location
 * response's three spellings). Any other value names no event this receiver knows: a filter holding it would
 * silently match nothing, so DESTINATIONS refuses it.
 */
import { eventName, INBOUND_EVENT_TYPES, STATUS_EVENT_TYPES } from "../bandwidth/event-types.ts";

const BANDWIDTH_TYPES: readonly string[] = [...STATUS_EVENT_TYPES, ...INBOUND_EVENT_TYPES];

/** The normalized event names a filter can name, in Bandwidth's order. */
export const FILTER_EVENT_NAMES: readonly string[] = [...new Set(BANDWIDTH_TYPES.map(eventName))];

const names: ReadonlySet<string> = new Set(FILTER_EVENT_NAMES);
const types: ReadonlySet<string> = new Set(BANDWIDTH_TYPES);

/** The normalized name a filter value stands for, or undefined when it names no known event. */
export function filterEventName(value: string): string | undefined {
  if (names.has(value)) return value;
  return types.has(value) ? eventName(value) : undefined;
}
