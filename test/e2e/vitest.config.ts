/**
 * End-to-end tests (`npm run test:e2e`): plain Node vitest (not workerd). Each test file starts its own
 * `wrangler dev` against a real local downstream (harness/), so files run one after another.
 */
import { defineConfig, mergeConfig } from "vitest/config";
import { nodeProcessSuiteConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  nodeProcessSuiteConfig("e2e"),
  defineConfig({
    test: {
      include: ["test/e2e/**/*.test.ts"],
      testTimeout: 60_000,
    },
  }),
);
