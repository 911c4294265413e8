/**
 * A workerd suite that runs the Worker with a few settings changed over the workerd tests' configuration (a
 * Durable Object's configuration is fixed for a run, so each such variant is a run of its own): the Worker's own
 * wrangler.toml, the test bindings with `settings` over them, the index's migrations, the recording downstream.
 */
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import { type Suite, suiteConfig } from "../../vitest.shared.ts";
import { TEST_BINDINGS } from "./bindings.ts";
import { recordingDownstream } from "./recording-downstream.ts";

/** The vitest config of the suite in test/<suite>/, with `settings` and extra setup files. */
export async function settingsSuiteConfig(
  suite: Extract<Suite, "log-level" | "jurisdiction">,
  settings: Record<string, string>,
  setupFiles: readonly string[] = [],
) {
  return mergeConfig(
    suiteConfig(suite),
    defineConfig({
      plugins: [
        cloudflareTest({
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: {
            bindings: {
              ...TEST_BINDINGS,
              ...settings,
              TEST_MIGRATIONS: await readD1Migrations("./migrations"),
            },
            outboundService: recordingDownstream,
          },
        }),
      ],
      test: {
        include: [`test/${suite}/**/*.test.ts`],
        setupFiles: ["./test/helpers/apply-migrations.setup.ts", ...setupFiles],
        testTimeout: 30_000,
      },
    }),
  );
}
