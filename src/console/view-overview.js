// @ts-check
/**
 * The last 24 hours (`#/stats`, and the console's start page): the delivery rate, recipients by status, the
 * top error codes with their meaning, time to delivery, inbound messages and a chart per hour, from
 * GET /stats?by=hour.
 */
import { apiGet } from "./api.js";
import { hourlyChart } from "./chart.js";
import { el, table } from "./dom.js";
import { duration, percent, utc } from "./format.js";
import { readStats } from "./shape-index.js";

/** How many error codes the overview lists. */
const TOP_ERRORS = 10;

/** A figure with its label. @param {string} testid @param {string} label @param {string | number} value */
function tile(testid, label, value) {
  return el(
    "div",
    { className: "tile" },
    el("span", { className: "label" }, label),
    el("strong", { testid }, value),
  );
}

/** Renders the overview into `view`. @param {HTMLElement} view */
export async function renderOverview(view) {
  const stats = readStats(await apiGet("/stats?by=hour"));
  const { outbound } = stats;
  const failures = outbound.failures.slice(0, TOP_ERRORS);
  view.append(
    el("h1", {}, "Last 24 hours"),
    el(
      "p",
      { className: "muted", testid: "stats-range" },
      `Messages whose time is from ${utc(stats.since)} to ${utc(stats.until)}.`,
    ),
    el(
      "div",
      { className: "tiles" },
      tile("delivery-rate", "Delivery rate", percent(outbound.deliveryRate)),
      tile("recipient-count", "Outbound recipients", outbound.recipients),
      tile("inbound-count", "Inbound messages", stats.inbound),
      tile("delivery-p50", "Time to delivery, p50", duration(outbound.p50Ms)),
      tile("delivery-p95", "Time to delivery, p95", duration(outbound.p95Ms)),
    ),
    el("h2", {}, "Messages per hour"),
    hourlyChart(stats.hours),
    el("h2", {}, "Outbound recipients by status"),
    table(
      "status-counts",
      ["Status", "Recipients"],
      outbound.counts.map((c) => ({
        testid: "status-count",
        attrs: { "data-status": c.status },
        cells: [c.status, c.count],
      })),
    ),
    el("h2", {}, "Top error codes"),
    failures.length === 0
      ? el("p", { testid: "top-errors-empty", className: "muted" }, "No failures in this period.")
      : table(
          "top-errors",
          ["Error code", "Failed recipients", "Class", "Meaning", ""],
          failures.map((failure) => ({
            testid: "top-error",
            cells: [
              failure.errorCode ?? "none",
              failure.count,
              failure.class,
              failure.meaning,
              failure.errorCode === null
                ? ""
                : el("a", { attrs: { href: `#/messages?errorCode=${failure.errorCode}` } }, "messages"),
            ],
          })),
        ),
  );
}
