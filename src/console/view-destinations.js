// @ts-check
/**
 * Destinations (`#/destinations`): each destination with its kind, target (host or queue), filter, health
 * (healthy, failing since … with the last error, or paused) and rate limit (with the events waiting on it), with
 * pause and resume.
 */
import { runAction } from "./actions.js";
import { apiGet, apiPost } from "./api.js";
import { button, el, routeLink, table } from "./dom.js";
import { utc } from "./format.js";
import { readDestinations } from "./shape-lists.js";

/** @typedef {{refresh: (outcome?: string) => Promise<void>}} ViewContext */
/** @typedef {ReturnType<typeof readDestinations>[number]} Destination */

/** A destination's health in words. @param {Destination["health"]} health */
function healthText(health) {
  const parts = [health.state];
  if (health.since) parts.push(`since ${utc(health.since)}`);
  if (health.consecutiveFailures !== undefined && health.state === "failing")
    parts.push(`${health.consecutiveFailures} failures in a row`);
  if (health.lastError) parts.push(`last error: ${health.lastError}`);
  return parts.join(", ");
}

/** A destination's rate limit in words. @param {Destination} destination */
function limitText(destination) {
  if (destination.maxPerSecond === undefined) return "none";
  const waiting = destination.waiting === undefined ? "" : `, ${destination.waiting} waiting`;
  return `${destination.maxPerSecond}/s${waiting}`;
}

/** Renders the destinations into `view`. @param {HTMLElement} view @param {ViewContext} ctx */
export async function renderDestinations(view, ctx) {
  view.append(el("h1", {}, "Destinations"));
  const destinations = readDestinations(await apiGet("/destinations"));
  const place = el("div", { testid: "destinations-outcome" });
  /** @param {string} name @param {"pause" | "resume"} action */
  const change = (name, action) =>
    runAction(
      place,
      async () => {
        await apiPost(`/destinations/${encodeURIComponent(name)}/${action}`);
        return action === "pause" ? `Paused ${name}: its events wait in their outboxes.` : `Resumed ${name}.`;
      },
      ctx.refresh,
    );
  view.append(
    el(
      "div",
      { className: "actions" },
      button("Refresh", "refresh", () => void ctx.refresh()),
      place,
    ),
    table(
      "destinations",
      ["Name", "Kind", "Target", "Filter", "Health", "Rate limit", "", ""],
      destinations.map((d) => ({
        testid: "destination-row",
        attrs: { "data-destination": d.name, "data-health": d.health.state },
        cells: [
          d.name,
          d.kind,
          d.target,
          el("code", {}, d.filter),
          el(
            "span",
            { testid: "destination-health", className: `health-${d.health.state}` },
            healthText(d.health),
          ),
          el("span", { testid: "destination-limit" }, limitText(d)),
          d.health.state === "paused"
            ? button("Resume", "destination-resume", () => void change(d.name, "resume"))
            : button("Pause", "destination-pause", () => void change(d.name, "pause")),
          routeLink(`#/dead-letters?${new URLSearchParams({ destination: d.name })}`, "dead letters"),
        ],
      })),
    ),
  );
}
