/**
 * Browser tests of the operator console (`npm run test:browser`): plain Node vitest driving a real headless
 * Chromium (@sparticuz/chromium, shipped inside the npm package, with puppeteer-core) against `wrangler dev`
 * and a real local downstream started per test file by the end-to-end harness, so files run one after another.
 */
import { defineConfig, mergeConfig } from "vitest/config";
import { nodeProcessSuiteConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  nodeProcessSuiteConfig("browser"),
  defineConfig({
    test: {
      include: ["test/browser/**/*.test.ts"],
      testTimeout: 90_000,
    },
  }),
);
