/**
 * End-to-end tests: plain Node vitest (not workerd). Each test file starts its own `wrangler dev` against a
 * real local downstream, so files run one after another and timeouts are generous.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one `N passed, M failed` line over every run.
    reporters: ["default", "json"],
    outputFile: { json: "reports/e2e.json" },
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    retry: 0,
  },
});
