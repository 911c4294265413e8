/**
 * The operator API's check that a destination it is given is configured: redeliveries go only to a
 * destination that exists (a removed one's events are moved to the one named).
 */
import { HTTPException } from "hono/http-exception";
import type { Config } from "../config.ts";

/** The configured destinations' names, when `name` is one of them; else a 404 naming the problem. */
export function requireDestination(config: Config, name: string): string[] {
  const names = config.destinations.map((destination) => destination.name);
  if (!names.includes(name)) throw new HTTPException(404, { message: "destination not configured" });
  return names;
}
