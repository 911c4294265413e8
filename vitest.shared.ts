/**
 * What the test suites share, merged into each suite's small config with `mergeConfig`: the repository root
 * (suite configs live in their folders), the console reporter plus one JSON report per suite in reports/
 * (`.ci/run` counts them with .ci/summarize.mjs), and, for the suites that run real processes in Node, one
 * file at a time with generous but bounded timeouts.
 */
import { defineConfig, mergeConfig } from "vitest/config";
import { REPO_ROOT } from "./harness/repo.ts";

/** The suites, each with its JSON report `reports/<suite>.json`. */
export type Suite =
  | "workerd"
  | "destinations"
  | "log-level"
  | "jurisdiction"
  | "queue-consumer"
  | "e2e"
  | "faults"
  | "browser"
  | "mutation";

/** Every suite: the root, the reporters and the suite's JSON report. */
export function suiteConfig(suite: Suite) {
  return defineConfig({
    root: REPO_ROOT,
    test: {
      reporters: ["default", "json"],
      outputFile: { json: `reports/${suite}.json` },
    },
  });
}

/**
 * The suites that start `wrangler dev` and a downstream per test file (end-to-end, faults, browser): plain Node, files
 * one after another, no retries.
 */
export function nodeProcessSuiteConfig(
  suite: Exclude<Suite, "workerd" | "destinations" | "log-level" | "jurisdiction" | "queue-consumer">,
) {
  return mergeConfig(
    suiteConfig(suite),
    defineConfig({
      test: {
        environment: "node",
        fileParallelism: false,
        maxWorkers: 1,
        hookTimeout: 90_000,
        teardownTimeout: 30_000,
        retry: 0,
      },
    }),
  );
}
