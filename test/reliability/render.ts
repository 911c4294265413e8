/**
 * docs/RELIABILITY.md's figures, rendered from the reports the test suites write (reports/fuzz-figures.json,
 * reports/faults-figures.json): the summary table and the fault results, each between markers that
 * test/reliability/update.ts replaces. Pure, so that a unit test can check it.
 */

/** What reports/fuzz-figures.json holds (written by test/fuzz/figures-reporter.ts). */
export interface WorkerdFigures {
  generatedAt: string;
  complete: boolean;
  fuzz: { requests: number; events: number; outcomes: Record<string, number> };
  properties: { runs: number; tests: Array<{ test: string; runs: number }> };
  security: { passed: number; failed: number };
}

/** What the tables need of one fault scenario's figures (test/faults/figures.ts writes more). */
export interface ScenarioFigures {
  scenario: string;
  callbacks: number;
  callbackErrors: number;
  achievedRate: number;
  accepted: number;
  deliveredDistinct: number;
  lost: number;
  notDeliveredInHistory: number;
  duplicates: number;
  outOfOrder: number;
  ackP50Ms: number;
  ackP99Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  timeToDrainMs: number;
}

/** Where a run comes from, for the stamp under each table. */
export interface RunStamp {
  commit: string;
  date: string;
  machine: string;
}

/** The scenarios in the order the document lists them. */
export const SCENARIO_ORDER = [
  "outage-60s",
  "hanging-20s",
  "flapping-half-5xx",
  "throttling-429",
  "crash-restart-x2",
  "load",
];

const count = (n: number) => n.toLocaleString("en-US");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One row of the fault results table. */
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

/** The summary table of "The figures". */
export function summaryTable(workerd: WorkerdFigures, faults: readonly ScenarioFigures[]): string {
  const outcomes = Object.entries(workerd.fuzz.outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${count(n)} × \`${status}\``)
    .join(", ");
  const fiveXx = Object.entries(workerd.fuzz.outcomes)
    .filter(([status]) => status.startsWith("5"))
    .reduce((sum, [, n]) => sum + n, 0);
  const load = faults.find((f) => f.scenario === "load");
  const faultRuns = faults.filter((f) => f.scenario !== "load");
  const survived = faultRuns.filter((f) => f.lost === 0 && f.notDeliveredInHistory === 0).length;
  const lost = faults.reduce((sum, f) => sum + f.lost, 0);
  const accepted = faults.reduce((sum, f) => sum + f.accepted, 0);
  const rows = [
    [
      "Inputs fuzzed",
      `**${count(workerd.fuzz.requests)} callbacks** (${count(workerd.fuzz.events)} events) through the Worker inside workerd, answered ${outcomes}: every valid mutant stored once and forwarded once; every invalid mutant with an envelope held in quarantine (\`200\`, named, never stored as an event or forwarded), without one refused (\`400\`, nothing stored); **${fiveXx} × 5xx**`,
      "5",
      "`npm run test:workerd`",
    ],
    [
      "Properties run",
      `**${count(workerd.properties.runs)} cases** over ${workerd.properties.tests.length} properties (the state join, event ids, constant-time comparison, dedup across interleaved retries through the Worker)`,
      "4, 5, 6",
      "`npm run test:workerd`",
    ],
    [
      "Security checks",
      `**${workerd.security.passed} passed**, ${workerd.security.failed} failed`,
      "6",
      "`npm run test:workerd` (`test/integration/security-*.test.ts`)",
    ],
    [
      "Faults survived",
      `**${survived} of ${faultRuns.length}**: ${faultRuns.map((f) => `\`${f.scenario}\``).join(", ")}`,
      "1, 2, 3",
      "`npm run test:faults`",
    ],
    [
      "Load held",
      load
        ? `**${load.achievedRate} callbacks/s**: ${load.callbackErrors} errors, ack p99 ${load.ackP99Ms} ms, forwarding lag p99 ${load.lagP99Ms} ms`
        : "not run",
      "1, 2, 3",
      "`npm run test:faults`",
    ],
    [
      "Events lost",
      `**${count(lost)}** of ${count(accepted)} accepted in the fault and load scenarios`,
      "1",
      "`npm run test:faults`",
    ],
  ];
  return [
    "| Figure | Value | Promise | Reproduce |",
    "|---|---|---|---|",
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ].join("\n");
}

/** The results table of the fault scenarios, in the document's order. */
export function faultsTable(faults: readonly ScenarioFigures[]): string {
  const ordered = [
    ...SCENARIO_ORDER.flatMap((name) => faults.filter((f) => f.scenario === name)),
    ...faults.filter((f) => !SCENARIO_ORDER.includes(f.scenario)),
  ];
  return [
    "| scenario | callbacks | rate held | accepted events | delivered (distinct) | lost | duplicates | out of order | ack p50 / p99 | max lag | time to drain |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...ordered.map(tableRow),
  ].join("\n");
}

/** The line under a table saying which run its figures come from. */
export function stampLine(stamp: RunStamp): string {
  return `Figures of the run at commit \`${stamp.commit}\`, ${stamp.date}, on ${stamp.machine}; regenerate with \`npm run reliability\`.`;
}

/**
 * Replaces the text between `<!-- figures:NAME -->` and `<!-- /figures:NAME -->` in `doc`; throws when the
 * markers are missing, so that a renamed section is noticed rather than skipped.
 */
export function replaceBlock(doc: string, name: string, body: string): string {
  const start = `<!-- figures:${name} -->`;
  const end = `<!-- /figures:${name} -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/RELIABILITY.md has no ${start} … ${end} block`);
  return `${doc.slice(0, from + start.length)}\n${body}\n${doc.slice(to)}`;
}
