/**
 * The data-jurisdiction suite (part of `npm run test:workerd`): the Worker inside workerd with
 * DATA_JURISDICTION=eu over the workerd tests' configuration, in a run of its own since a Durable Object's
 * configuration is fixed for a run. workerd implements no jurisdictions, so record-namespaces.setup.ts stands
 * in for `DurableObjectNamespace.jurisdiction()` and records every way an object is reached.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import { suiteConfig } from "../../vitest.shared.ts";
import { TEST_BINDINGS } from "../helpers/bindings.ts";
import { recordingDownstream } from "../helpers/recording-downstream.ts";

export default mergeConfig(
  suiteConfig("jurisdiction"),
  defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...TEST_BINDINGS,
            DATA_JURISDICTION: "eu",
            TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          },
          outboundService: recordingDownstream,
        },
      }),
    ],
    test: {
      include: ["test/jurisdiction/**/*.test.ts"],
      setupFiles: [
        "./test/helpers/apply-migrations.setup.ts",
        "./test/jurisdiction/record-namespaces.setup.ts",
      ],
      testTimeout: 30_000,
    },
  }),
);
