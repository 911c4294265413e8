/**
 * The D1 databases of the workerd tests: MESSAGE_INDEX (wrangler.toml's one shard) and two test-only shards,
 * each migrated before every test file (apply-migrations.setup.ts). Tests name them in INDEX_SHARDS of an env
 * they pass to the Worker (or to the index's functions) to run the index over one, two or three shards.
 */

/** The test-only shards' binding names. */
export const EXTRA_SHARDS = ["INDEX_SHARD_2", "INDEX_SHARD_3"] as const;

/** Every index database of the test run: binding → local database id. */
export const TEST_INDEX_DATABASES: Record<string, string> = {
  MESSAGE_INDEX: "00000000-0000-4000-8000-000000000000",
  INDEX_SHARD_2: "test-index-shard-2",
  INDEX_SHARD_3: "test-index-shard-3",
};

/** A database the setup leaves unmigrated: the migration test applies the migrations itself, in steps. */
export const UNMIGRATED_DATABASE = { INDEX_UNMIGRATED: "test-index-unmigrated" };
