/**
 * The unit tests of the pure modules, run in plain Node for mutation testing (`npm run mutation`): StrykerJS's
 * vitest runner cannot drive the workerd pool of @cloudflare/vitest-plugin, and these tests need no Workers API.
 * Not part of `npm test`: the same files run inside workerd there.
 */
import { defineConfig, mergeConfig } from "vitest/config";
import { suiteConfig } from "../../vitest.shared.ts";

export default mergeConfig(
  suiteConfig("mutation"),
  defineConfig({
    test: {
      environment: "node",
      include: ["test/unit/*.test.ts"],
      // The bench's own tests mutate nothing of src/; the others need workerd (cloudflare:* modules, the
      // Worker's app, or the fixtures provided to it).
      exclude: [
        "test/unit/bench-*.test.ts",
        "test/unit/openapi-document.test.ts",
        "test/unit/bandwidth-official-fixtures.test.ts",
        "test/unit/media-settings.test.ts",
        "test/unit/metering.test.ts",
        "test/unit/openapi-route.test.ts",
      ],
    },
  }),
);
