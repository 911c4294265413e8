/**
 * The example queue consumer's suite (part of `npm run test:workerd`): examples/queue-consumer/ inside workerd
 * with its own wrangler.toml, and a two-second gap wait so that the alarm's path runs within a test.
 */
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, mergeConfig } from "vitest/config";
import { suiteConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  suiteConfig("queue-consumer"),
  defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./examples/queue-consumer/wrangler.toml" },
        miniflare: { bindings: { GAP_WAIT_SECONDS: "2" } },
      }),
    ],
    test: {
      include: ["test/queue-consumer/**/*.test.ts"],
      testTimeout: 30_000,
    },
  }),
);
