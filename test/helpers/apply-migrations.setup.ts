/**
 * Runs inside workerd before each test file of `npm run test:workerd`: applies the message index's migrations
 * (read from migrations/ by vitest.config.ts) to every index database of the run (MESSAGE_INDEX and the
 * test-only shards), as `npm run dev` and a deploy do to every shard of INDEX_SHARDS.
 */
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { TEST_INDEX_DATABASES } from "./index-shards.ts";

const bindings = env as unknown as Record<string, D1Database | undefined>;
for (const name of Object.keys(TEST_INDEX_DATABASES)) {
  const db = bindings[name];
  if (db) await applyD1Migrations(db, env.TEST_MIGRATIONS);
}
