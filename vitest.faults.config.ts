/**
 * Fault injection and load (`npm run test:faults`): plain Node vitest, like the end-to-end tests. Each file
 * starts its own `wrangler dev` and downstream and runs for a minute or two, so files run one after another;
 * timeouts are generous but bounded, so that the whole suite ends within minutes even when a scenario fails.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print one `N passed, M failed` line; the figures go to reports/faults-figures.json.
    reporters: ["default", "json"],
    outputFile: { json: "reports/faults.json" },
    include: ["test/faults/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 240_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    retry: 0,
    // Marks every scenario's figures with this run, so that figures merged from different runs are told apart.
    env: { FAULTS_RUN: new Date().toISOString() },
  },
});
