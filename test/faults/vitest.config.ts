/**
 * Fault injection and load (`npm run test:faults`): plain Node vitest, like the end-to-end tests. Each file
 * starts its own `wrangler dev` and downstream and runs for a minute or two; timeouts are generous but bounded,
 * so that the whole suite ends within minutes even when a scenario fails. The figures go to
 * reports/faults-figures.json.
 */
import { defineConfig, mergeConfig } from "vitest/config";
import { nodeProcessSuiteConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  nodeProcessSuiteConfig("faults"),
  defineConfig({
    test: {
      include: ["test/faults/**/*.test.ts"],
      testTimeout: 240_000,
      // Marks every scenario's figures with this run, so that figures merged from different runs are told apart.
      env: { FAULTS_RUN: new Date().toISOString() },
    },
  }),
);
