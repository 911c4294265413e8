// @ts-check
/**
 * The overview's chart of messages per hour, drawn as SVG elements (no canvas, no markup strings): per hour, a
 * stacked bar of outbound recipients by outcome and inbound messages, with a text title per bar.
 */
import { el, svg } from "./dom.js";
import { hourLabel } from "./format.js";

/** @typedef {{hour: string, outbound: Array<{status: string, count: number}>, recipients: number, inbound: number}} Hour */

/** The stacked series, bottom to top, each with the statuses it sums. */
const SERIES = [
  { name: "delivered", label: "Delivered or read", statuses: ["delivered", "read"] },
  { name: "failed", label: "Failed", statuses: ["failed"] },
  { name: "pending", label: "Sending, sent or unknown", statuses: ["sending", "sent", "unknown"] },
];

const WIDTH = 720;
const HEIGHT = 180;
const AXIS = 18;

/** One hour's stack heights: each outbound series, then inbound. @param {Hour} hour */
export function stackOf(hour) {
  const count = (/** @type {string[]} */ statuses) =>
    hour.outbound.filter((c) => statuses.includes(c.status)).reduce((sum, c) => sum + c.count, 0);
  return [
    ...SERIES.map((series) => ({ name: series.name, value: count(series.statuses) })),
    { name: "inbound", value: hour.inbound },
  ];
}

/** The chart of `hours` (oldest first), with its legend. @param {Hour[]} hours */
export function hourlyChart(hours) {
  const stacks = hours.map(stackOf);
  const peak = Math.max(1, ...stacks.map((stack) => stack.reduce((sum, part) => sum + part.value, 0)));
  const slot = WIDTH / Math.max(1, hours.length);
  const plot = HEIGHT - AXIS;
  const chart = svg("svg", {
    testid: "hourly-chart",
    className: "chart",
    attrs: {
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: "img",
      "aria-label": `Messages per hour, peak ${peak}`,
    },
  });
  hours.forEach((hour, index) => {
    const stack = stacks[index] ?? [];
    const total = stack.reduce((sum, part) => sum + part.value, 0);
    const title = `${hourLabel(hour.hour)}: ${stack.map((part) => `${part.name} ${part.value}`).join(", ")}`;
    const bar = svg("g", { testid: "hour-bar", attrs: { "data-total": total } }, svg("title", {}, title));
    let top = plot;
    for (const part of stack) {
      if (part.value === 0) continue;
      const height = (part.value / peak) * (plot - 4);
      top -= height;
      const x = (index * slot + 1).toFixed(1);
      const rect = {
        x,
        y: top.toFixed(1),
        width: Math.max(1, slot - 2).toFixed(1),
        height: height.toFixed(1),
      };
      bar.appendChild(svg("rect", { className: `bar ${part.name}`, attrs: rect }));
    }
    if (index % 3 === 0) {
      const label = { x: (index * slot + slot / 2).toFixed(1), y: HEIGHT - 4, "text-anchor": "middle" };
      chart.appendChild(svg("text", { className: "axis", attrs: label }, hourLabel(hour.hour)));
    }
    chart.appendChild(bar);
  });
  chart.appendChild(svg("line", { className: "baseline", attrs: { x1: 0, y1: plot, x2: WIDTH, y2: plot } }));
  const legend = el(
    "ul",
    { className: "legend" },
    ...[...SERIES, { name: "inbound", label: "Inbound messages" }].map((series) =>
      el("li", {}, el("span", { className: `swatch ${series.name}` }), series.label),
    ),
  );
  return el(
    "figure",
    { className: "chart-box" },
    chart,
    el("figcaption", {}, `Per hour, by message time (peak ${peak})`),
    legend,
  );
}
