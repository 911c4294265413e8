/**
 * A vitest reporter (runs in Node) that writes reports/fuzz-figures.json after `npm run test:workerd`: the
 * figures the fuzz and property tests recorded in their meta (test/fuzz/figures.ts), the fuzz suite's
 * duration, and how many security checks passed. docs/RELIABILITY.md cites this file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Reporter, TestModule } from "vitest/node";
import { type Figure, FUZZ_MINIMUM_REQUESTS } from "../generators/figures.ts";

const OUTPUT = resolve("reports/fuzz-figures.json");
const SECURITY_FILE = /(^|\/)(security[^/]*|constant-time-property)\.test\.ts$/;

interface Row extends Figure {
  file: string;
  test: string;
}

function add(into: Record<string, number>, from: Record<string, number> = {}): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

function rowsOf(modules: ReadonlyArray<TestModule>): Row[] {
  const rows: Row[] = [];
  for (const module of modules) {
    for (const test of module.children.allTests("passed")) {
      const figure = test.meta().figure;
      if (figure) rows.push({ file: module.relativeModuleId, test: test.fullName, ...figure });
    }
  }
  return rows;
}

function securityChecks(modules: ReadonlyArray<TestModule>) {
  const security = modules.filter((module) => SECURITY_FILE.test(module.relativeModuleId));
  const tests = security.flatMap((module) => [...module.children.allTests()]);
  // `it.fails` tests pass while the gap they describe stands: they are known gaps, not passed checks.
  const known = tests.filter((test) => test.options.fails);
  const checks = tests.filter((test) => !test.options.fails);
  return {
    passed: checks.filter((test) => test.result().state === "passed").length,
    failed: checks.filter((test) => test.result().state === "failed").length,
    knownGaps: known.map((test) => test.fullName),
    files: security.map((module) => module.relativeModuleId),
  };
}

/** Writes the figures of the run, if it ran any figure-recording test. */
export default class FiguresReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const rows = rowsOf(modules);
    if (rows.length === 0) return;
    const fuzzRows = rows.filter((row) => row.kind === "fuzz");
    const propertyRows = rows.filter((row) => row.kind === "property");
    const outcomes: Record<string, number> = {};
    for (const row of fuzzRows) add(outcomes, row.outcomes);
    const fuzzModules = modules.filter((module) => module.relativeModuleId.startsWith("test/fuzz/"));
    const fuzzTests = fuzzModules.flatMap((module) => [...module.children.allTests()]);
    const totalTest = fuzzTests.find((test) => test.name.startsWith("sent at least"));
    const requests = fuzzRows.reduce((sum, row) => sum + (row.requests ?? 0), 0);
    const figures = {
      generatedAt: new Date().toISOString(),
      command: "npm run test:workerd",
      complete: totalTest?.result().state === "passed",
      fuzz: {
        requests,
        events: fuzzRows.reduce((sum, row) => sum + (row.events ?? 0), 0),
        minimumRequests: FUZZ_MINIMUM_REQUESTS,
        outcomes,
        // Test time per file; the files may run in parallel, so the suite's wall-clock time can be less.
        testTimeMs: Math.round(fuzzModules.reduce((sum, module) => sum + module.diagnostic().duration, 0)),
        files: fuzzModules.map((module) => ({
          file: module.relativeModuleId,
          testTimeMs: Math.round(module.diagnostic().duration),
        })),
        tests: fuzzRows,
        // Bugs the fuzzer found and not yet fixed, kept as `it.fails` (none at the moment).
        knownFailures: fuzzTests.filter((test) => test.options.fails).map((test) => test.fullName),
      },
      properties: {
        runs: propertyRows.reduce((sum, row) => sum + row.runs, 0),
        tests: propertyRows,
      },
      security: securityChecks(modules),
    };
    mkdirSync(dirname(OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, `${JSON.stringify(figures, null, 2)}\n`);
    process.stdout.write(
      `Fuzz: ${requests} callbacks, ${figures.fuzz.testTimeMs} ms of test time; properties: ${figures.properties.runs} runs; ` +
        `security checks passed: ${figures.security.passed}. Figures written to ${OUTPUT}\n`,
    );
  }
}
