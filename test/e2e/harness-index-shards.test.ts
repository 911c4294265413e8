/**
 * The harness migrates every shard of the index: the D1 bindings it reads from a wrangler.toml, in order (pure,
 * no process started).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { d1Bindings, migrationArgs, shardedConfig } from "../../harness/message-index.ts";
import { REPO_ROOT } from "../../harness/repo.ts";

describe("d1Bindings", () => {
  it("lists every [[d1_databases]] binding, and nothing from other tables", () => {
    const toml = `
[vars]
binding = "NOT_A_DATABASE"

[[d1_databases]]
binding = "MESSAGE_INDEX"
database_name = "a"

[[durable_objects.bindings]]
name = "MESSAGE_TRACKER"

[[d1_databases]]
database_name = "b"
binding = "INDEX_SHARD_2"
`;
    expect(d1Bindings(toml)).toEqual(["MESSAGE_INDEX", "INDEX_SHARD_2"]);
    expect(migrationArgs({ persistTo: "/tmp/x" }, "INDEX_SHARD_2")).toEqual([
      "d1",
      "migrations",
      "apply",
      "INDEX_SHARD_2",
      "--local",
      "--persist-to",
      "/tmp/x",
    ]);
  });

  it("finds the one shard of the repository's wrangler.toml", () => {
    expect(d1Bindings(readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8"))).toEqual(["MESSAGE_INDEX"]);
  });
});

describe("shardedConfig", () => {
  it("adds a D1 binding per extra shard and names them all in INDEX_SHARDS", () => {
    const toml = readFileSync(join(REPO_ROOT, "wrangler.toml"), "utf8");
    const { toml: sharded, names } = shardedConfig(toml, 3);
    expect(names).toEqual(["MESSAGE_INDEX", "INDEX_SHARD_2", "INDEX_SHARD_3"]);
    expect(d1Bindings(sharded)).toEqual(names);
    expect(sharded).toContain('INDEX_SHARDS = "MESSAGE_INDEX,INDEX_SHARD_2,INDEX_SHARD_3"');
    expect(shardedConfig(toml, 1).names).toEqual(["MESSAGE_INDEX"]);
  });
});
