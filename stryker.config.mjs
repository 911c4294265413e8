// @ts-check
/**
 * Mutation testing with StrykerJS over the pure modules, driven through their unit tests in plain Node
 * (test/mutation/vitest.config.ts: the vitest runner cannot drive the workerd pool). `npm run mutation` mutates
 * the core decisions (about two minutes); `npm run mutation:all` every pure module of src/message, src/forward and
 * src/bandwidth (about 25 minutes on 2 cores). Scores and survivors: docs/RELIABILITY.md. Not part of npm test.
 */

/** The core decisions: retry, routing, signing, the message budget, the cursors, retention, wake-up, event ids. */
const CORE = [
  "src/forward/retry.ts",
  "src/forward/routing.ts",
  "src/message/budget.ts",
  "src/message/list-cursor.ts",
  "src/http/bulk-cursor.ts",
  "src/message/expiry.ts",
  "src/message/event-id.ts",
  "src/message/wake.ts",
  "src/message/alarm-retry.ts",
  "src/bandwidth/media-url.ts",
  "src/forward/sign.ts",
  "src/http/search-cursor.ts",
];

/** Every pure module: what has no Workers API and no network (the API client and the fetches are left out). */
const ALL = [
  "src/message/*.ts",
  "src/bandwidth/*.ts",
  "!src/bandwidth/api-client.ts",
  "!src/bandwidth/oauth-token.ts",
  "src/forward/*.ts",
  "src/net/*.ts",
  "!src/forward/deliver.ts",
  "!src/forward/deliver-destination.ts",
  "!src/forward/deliver-queue.ts",
  "src/http/bulk-cursor.ts",
  "src/http/search-cursor.ts",
];

const all = process.env.MUTATION_SCOPE === "all";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  vitest: { configFile: "test/mutation/vitest.config.ts" },
  plugins: ["@stryker-mutator/vitest-runner"],
  mutate: all ? ALL : CORE,
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 20_000,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `reports/mutation/${all ? "all" : "core"}.html` },
  jsonReporter: { fileName: `reports/mutation/${all ? "all" : "core"}.json` },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  // The core set must stay at 85 % or more; the whole set is measured, not yet held to it.
  thresholds: { high: 90, low: 85, break: all ? null : 85 },
};
