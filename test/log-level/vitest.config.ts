/**
 * The log-level suite (part of `npm run test:workerd`): the Worker inside workerd with LOG_LEVEL=warn over the
 * workerd tests' configuration, in a run of its own since a Durable Object's configuration is fixed for a run.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import { suiteConfig } from "../../vitest.shared.ts";
import { TEST_BINDINGS } from "../helpers/bindings.ts";
import { recordingDownstream } from "../helpers/recording-downstream.ts";

export default mergeConfig(
  suiteConfig("log-level"),
  defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...TEST_BINDINGS,
            LOG_LEVEL: "warn",
            TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          },
          outboundService: recordingDownstream,
        },
      }),
    ],
    test: {
      include: ["test/log-level/**/*.test.ts"],
      setupFiles: ["./test/helpers/apply-migrations.setup.ts"],
      testTimeout: 30_000,
    },
  }),
);
