/**
 * Unit, integration and fuzz tests (`npm run test:workerd`), run inside workerd by @cloudflare/vitest-plugin
 * with the Worker's own wrangler.toml, test-only secrets and the message index's D1 migrations. The end-to-end
 * and fault suites have their own configs in their folders; all three merge vitest.shared.ts.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import { TEST_BINDINGS } from "./test/helpers/bindings.ts";
import { TEST_INDEX_DATABASES, UNMIGRATED_DATABASE } from "./test/helpers/index-shards.ts";
import { recordingDownstream } from "./test/helpers/recording-downstream.ts";
import { suiteConfig } from "./vitest.shared.ts";

export default mergeConfig(
  suiteConfig("workerd"),
  defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // The message index's migrations, applied to MESSAGE_INDEX by test/helpers/apply-migrations.setup.ts.
          bindings: { ...TEST_BINDINGS, TEST_MIGRATIONS: await readD1Migrations("./migrations") },
          outboundService: recordingDownstream,
          // The index's one shard of wrangler.toml and two test-only ones (test/helpers/index-shards.ts).
          d1Databases: { ...TEST_INDEX_DATABASES, ...UNMIGRATED_DATABASE },
        },
      }),
    ],
    test: {
      // Writes reports/fuzz-figures.json (fuzz, property and security figures), after the shared reporters.
      reporters: ["./test/fuzz/figures-reporter.ts"],
      include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts", "test/fuzz/**/*.test.ts"],
      // Reads Bandwidth's official examples (test/fixtures/) in Node and provides them to the tests in workerd.
      globalSetup: ["./test/bandwidth-fixtures.setup.ts"],
      // Every test file starts with an empty MESSAGE_INDEX; this gives it the tables.
      setupFiles: ["./test/helpers/apply-migrations.setup.ts"],
      testTimeout: 30_000,
    },
  }),
);
