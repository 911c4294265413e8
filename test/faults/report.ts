/**
 * Where a fault run's figures go: merged per scenario into reports/faults-figures.json (read by
 * docs/RELIABILITY.md's table), one summary line on the console, and the checks every scenario must pass.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import { REPO_ROOT } from "../../harness/repo.ts";
import type { ScenarioFigures } from "./figures.ts";

/** The figures file, one entry per scenario. */
export const FIGURES_FILE = join(REPO_ROOT, "reports", "faults-figures.json");

async function readFigures(): Promise<Record<string, unknown>> {
  try {
    const parsed: unknown = JSON.parse(await readFile(FIGURES_FILE, "utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** One line: the figures a reader looks at first. */
export function summaryLine(figures: ScenarioFigures): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `[faults] ${figures.scenario}: accepted ${figures.accepted}, delivered ${figures.deliveredDistinct}, ` +
    `lost ${figures.lost}, duplicates ${figures.duplicates}, out of order ${figures.outOfOrder}, ` +
    `ack p50 ${figures.ackP50Ms} ms p99 ${figures.ackP99Ms} ms max ${figures.ackMaxMs} ms, lag p50 ${figures.lagP50Ms} ms ` +
    `p99 ${figures.lagP99Ms} ms max ${seconds(figures.lagMaxMs)}, drained in ${seconds(figures.timeToDrainMs)}, ` +
    `${figures.achievedRate} callbacks/s, ${figures.callbackErrors} callback errors`
  );
}

/** Merges `figures` (and `extra`, scenario-specific figures) into the figures file and logs the summary line. */
export async function recordFigures(
  figures: ScenarioFigures,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await mkdir(join(REPO_ROOT, "reports"), { recursive: true });
  const all = await readFigures();
  all[figures.scenario] = { ...figures, ...extra, run: process.env.FAULTS_RUN ?? "unknown" };
  // Written beside and renamed, so that a reader never sees half a file.
  const partial = `${FIGURES_FILE}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(all, null, 2)}\n`);
  await rename(partial, FIGURES_FILE);
  console.log(summaryLine(figures));
}

/** Bandwidth gives up on a callback after 10 s and retries it. */
const BANDWIDTH_TIMEOUT_MS = 10_000;

/** What a scenario tolerates. */
export interface Tolerance {
  /** Callbacks never answered 200 (only a crash of the receiver may cause some; default 0). */
  callbackErrors?: number;
  /** The ack latency p99 must stay under this (default 2,000 ms, far under Bandwidth's 10 s). */
  ackP99BelowMs?: number;
}

/**
 * The promise, checked: nothing acknowledged is lost or unexpected, no event under two ids, every delivery
 * signed and in order per message, and the ack fast. Duplicates are reported, not failed on.
 */
export function expectPromiseKept(figures: ScenarioFigures, tolerance: Tolerance = {}): void {
  const verdict = {
    lost: figures.lost,
    acceptedNotStored: figures.acceptedNotStored,
    unexpected: figures.unexpected,
    notDeliveredInHistory: figures.notDeliveredInHistory,
    idConflicts: figures.idConflicts,
    sequenceMismatches: figures.sequenceMismatches,
    outOfOrder: figures.outOfOrder,
    badSignatures: figures.badSignatures,
  };
  expect(verdict, `figures: ${JSON.stringify(figures)}`).toEqual({
    lost: 0,
    acceptedNotStored: 0,
    unexpected: 0,
    notDeliveredInHistory: 0,
    idConflicts: 0,
    sequenceMismatches: 0,
    outOfOrder: 0,
    badSignatures: 0,
  });
  expect(figures.accepted).toBeGreaterThan(0);
  expect(figures.deliveredDistinct).toBe(figures.stored);
  expect(figures.callbackErrors).toBeLessThanOrEqual(tolerance.callbackErrors ?? 0);
  // Bounds leave room for a busy 2-core machine; the figures report the real percentiles.
  expect(figures.ackP99Ms).toBeLessThan(tolerance.ackP99BelowMs ?? 4_000);
  // Not a single ack came near Bandwidth's 10 s timeout, after which it would retry and duplicates pile up.
  expect(figures.ackMaxMs).toBeLessThan(BANDWIDTH_TIMEOUT_MS);
}
