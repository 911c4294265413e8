/**
 * Unit and integration tests, run inside workerd by @cloudflare/vitest-plugin with the Worker's own
 * wrangler.toml and test-only secrets.
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/helpers/bindings.ts";
import { recordingDownstream } from "./test/helpers/recording-downstream.ts";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: TEST_BINDINGS, outboundService: recordingDownstream },
    }),
  ],
  test: {
    // The JSON report lets .ci/run print one `N passed, M failed` line over every run.
    // test/fuzz/figures-reporter.ts writes reports/fuzz-figures.json (fuzz, property and security figures).
    reporters: ["default", "json", "./test/fuzz/figures-reporter.ts"],
    outputFile: { json: "reports/workerd.json" },
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/fuzz/**/*.test.ts"],
    // Reads Bandwidth's official examples from ../shared in Node and provides them to the tests in workerd.
    globalSetup: ["./test/bandwidth-fixtures.setup.ts"],
    testTimeout: 30_000,
  },
});
