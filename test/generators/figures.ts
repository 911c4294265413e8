/**
 * Figures of the fuzz and property suites: each test records in its meta how many generated cases it ran (and,
 * for the fuzz, the requests and events it sent); test/fuzz/figures-reporter.ts writes them to
 * reports/fuzz-figures.json, which docs/RELIABILITY.md cites.
 */
import fc from "fast-check";
import type { TestContext } from "vitest";

/** What one test ran. */
export interface Figure {
  kind: "fuzz" | "property";
  /** Generated cases that ran (fast-check's count, not the requested numRuns). */
  runs: number;
  requests?: number;
  events?: number;
  /** Answers by status code. */
  outcomes?: Record<string, number>;
}

declare module "vitest" {
  interface TaskMeta {
    figure?: Figure;
  }
}

/** DESIGN.md / issue 6: the fuzz suite sends at least this many callbacks in all. */
export const FUZZ_MINIMUM_REQUESTS = 10_000;

/** Records a test's figure for the figures reporter. */
export function recordFigure(task: TestContext["task"], figure: Figure): void {
  task.meta.figure = figure;
}

/** Like fc.assert, and returns how many generated cases ran. */
export function checkProperty<Ts>(property: fc.IProperty<Ts>, params: fc.Parameters<Ts>): number {
  const details = fc.check(property, params);
  if (details.failed) throw new Error(printable(fc.defaultReportMessage(details) ?? "property failed"));
  return details.numRuns;
}

/** Like fc.assert for an async property, and returns how many generated cases ran. */
export async function checkAsyncProperty<Ts>(
  property: fc.IAsyncProperty<Ts>,
  params: fc.Parameters<Ts>,
): Promise<number> {
  const details = await fc.check(property, params);
  if (details.failed) {
    throw new Error(printable((await fc.asyncDefaultReportMessage(details)) ?? "property failed"));
  }
  return details.numRuns;
}

/** Checks a property like fc.assert and records how many cases ran as the test's figure. */
export function assertCounted<Ts>(
  task: TestContext["task"],
  property: fc.IProperty<Ts>,
  params: fc.Parameters<Ts>,
): void {
  recordFigure(task, { kind: "property", runs: checkProperty(property, params) });
}

/** A report with lone surrogates escaped: the test runner's WebSocket refuses text that is not valid UTF-8. */
function printable(report: string): string {
  return report.replace(/\p{Cs}/gu, (unit) => `\\u${unit.charCodeAt(0).toString(16)}`);
}
