// Prints one `N passed, M failed` line over every vitest JSON report in reports/.
// A failing `npm test` with no failed test (lint, types, a crashed run) still counts as one failure.
import { existsSync, readdirSync, readFileSync } from "node:fs";

const status = Number(process.argv[2] ?? "0");
let passed = 0;
let failed = 0;
if (existsSync("reports")) {
  for (const file of readdirSync("reports").filter((name) => name.endsWith(".json"))) {
    const report = JSON.parse(readFileSync(`reports/${file}`, "utf8"));
    // Only vitest's JSON reports; other files there (figures written by the tests) are not test counts.
    if (typeof report.numTotalTests !== "number") continue;
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrors ?? 0);
  }
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
