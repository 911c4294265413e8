/**
 * Prints reports/faults-figures.json (written by `npm run test:faults`) as the Markdown table of
 * docs/RELIABILITY.md: `npm exec -- node test/faults/figures-table.ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../harness/repo.ts";
import type { ScenarioFigures } from "./figures.ts";

const FILE = join(REPO_ROOT, "reports/faults-figures.json");

/** The scenarios in the order the document lists them. */
const ORDER = [
  "outage-60s",
  "hanging-20s",
  "flapping-half-5xx",
  "throttling-429",
  "crash-restart-x2",
  "load",
];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One table row of a scenario's figures. */
export function tableRow(f: ScenarioFigures): string {
  const cells = [
    `\`${f.scenario}\``,
    `${f.callbacks}`,
    `${f.achievedRate}/s`,
    `${f.accepted}`,
    `${f.deliveredDistinct}`,
    `**${f.lost}**`,
    `${f.duplicates}`,
    `${f.outOfOrder}`,
    `${f.ackP50Ms} / ${f.ackP99Ms} ms`,
    `${seconds(f.lagMaxMs)}`,
    `${seconds(f.timeToDrainMs)}`,
  ];
  return `| ${cells.join(" | ")} |`;
}

const all = JSON.parse(readFileSync(FILE, "utf8")) as Record<string, ScenarioFigures>;
const names = [...ORDER.filter((name) => name in all), ...Object.keys(all).filter((n) => !ORDER.includes(n))];
console.log(
  "| scenario | callbacks | rate held | accepted events | delivered (distinct) | lost | duplicates | out of order | ack p50 / p99 | max lag | time to drain |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const name of names) {
  const figures = all[name];
  if (figures) console.log(tableRow(figures));
}
const runs = new Set(names.map((name) => (all[name] as { run?: string } | undefined)?.run ?? "unknown"));
console.log(`<!-- npm run test:faults started ${[...runs].join(", ")} -->`);
// Scenarios run separately (or two runs at once) merge into one file: say so rather than mix them silently.
if (runs.size > 1) console.error(`warning: these figures come from ${runs.size} different runs`);
