/**
 * The destinations suite (part of `npm run test:workerd`): the Worker inside workerd with several destinations
 * configured (test/destinations/bindings.ts), since a Durable Object's configuration is fixed for a run.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import { suiteConfig } from "../../vitest.shared.ts";
import { TEST_INDEX_DATABASES } from "../helpers/index-shards.ts";
import { recordingDownstream } from "../helpers/recording-downstream.ts";
import { DESTINATION_BINDINGS } from "./bindings.ts";

export default mergeConfig(
  suiteConfig("destinations"),
  defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: { ...DESTINATION_BINDINGS, TEST_MIGRATIONS: await readD1Migrations("./migrations") },
          outboundService: recordingDownstream,
          // The index's one shard of wrangler.toml and two test-only ones (test/helpers/index-shards.ts).
          d1Databases: TEST_INDEX_DATABASES,
        },
      }),
    ],
    test: {
      include: ["test/destinations/**/*.test.ts"],
      setupFiles: ["./test/helpers/apply-migrations.setup.ts"],
      testTimeout: 120_000,
    },
  }),
);
