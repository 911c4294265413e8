/**
 * Bindings that only the workerd tests have (vitest.config.ts adds them to the Worker's own).
 */
declare namespace Cloudflare {
  interface Env {
    /** The migrations of migrations/, read by `readD1Migrations` in Node. */
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    /** Test-only shards of the message index (test/helpers/index-shards.ts); absent in the log-level suite. */
    INDEX_SHARD_2: D1Database;
    INDEX_SHARD_3: D1Database;
    /** Left unmigrated by the setup: test/integration/index-migration.test.ts migrates it in steps. */
    INDEX_UNMIGRATED: D1Database;
  }
}
