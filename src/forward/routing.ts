/**
 * Routing: which destinations an event goes to, decided once, when the event is accepted (the destinations
 * whose filter matches it then are its targets for good). Fields of a filter are ANDed, the values inside a
 * field ORed; an absent filter matches every message event. Operator events (a destination's health changes)
 * go only to the destinations whose filter says `operator: true`.
 */
import { eventName } from "../bandwidth/event-types.ts";
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import type { DestinationFilter } from "./destination-schema.ts";

/** What a filter looks at in a Bandwidth event. */
export interface RoutingFacts {
  /** The normalized event name: `delivered`, `received`, `location-response`, an unknown type's name. */
  event: string;
  direction: "inbound" | "outbound";
  applicationId?: string;
  /** `message.tag`, compared exactly. */
  tag?: string;
  errorCode?: number;
}

/** The facts of an operator event: it matches only filters with `operator: true`. */
export const OPERATOR_EVENT = { operator: true } as const;

/** What {@link routeTo} routes: a Bandwidth event's facts, or an operator event. */
export type Routable = RoutingFacts | typeof OPERATOR_EVENT;

/** Anything routed to: a name and an optional filter. */
export interface Routed {
  name: string;
  filter?: DestinationFilter;
}

/** The routing facts of an accepted Bandwidth event. */
export function routingFacts(event: BandwidthEventOutput): RoutingFacts {
  const facts: RoutingFacts = {
    event: eventName(event.type),
    direction: event.message.direction === "in" ? "inbound" : "outbound",
  };
  if (event.message.applicationId !== undefined) facts.applicationId = event.message.applicationId;
  if (event.message.tag !== undefined) facts.tag = event.message.tag;
  if (event.errorCode !== undefined) facts.errorCode = event.errorCode;
  return facts;
}

/** Whether `filter` lets the event through; an absent filter lets every message event through. */
export function matchesFilter(filter: DestinationFilter | undefined, facts: Routable): boolean {
  if ("operator" in facts) return filter?.operator === true;
  if (!filter) return true;
  return (
    oneOf(filter.events, facts.event) &&
    (filter.direction === undefined || filter.direction === facts.direction) &&
    oneOf(filter.applicationIds, facts.applicationId) &&
    oneOf(filter.tags, facts.tag) &&
    oneOf(filter.errorCodes, facts.errorCode)
  );
}

/** The names of the destinations whose filter matches, in configuration order. */
export function routeTo(destinations: readonly Routed[], facts: Routable): string[] {
  return destinations
    .filter((destination) => matchesFilter(destination.filter, facts))
    .map((destination) => destination.name);
}

/** An absent list allows every value (an absent one included); a list allows only the values it holds. */
function oneOf<T>(allowed: readonly T[] | undefined, value: T | undefined): boolean {
  return allowed === undefined || (value !== undefined && allowed.includes(value));
}
