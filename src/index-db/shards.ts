/**
 * The index's shards: the D1 databases named by INDEX_SHARDS (comma-separated binding names, default
 * `MESSAGE_INDEX`). A message's shard is chosen once, by a stable hash of its id over the shards configured
 * when its first events are stored (so before its first index write, and in that same write), and its Durable
 * Object remembers it (src/message/index-placement.ts): adding a shard later moves no row, and a message never
 * changes shard. Reads fan out to every shard (src/index-db/fan-out.ts).
 */
import { IndexError } from "./index-error.ts";

/** One shard: its binding's name and the database. */
export interface IndexShard {
  name: string;
  db: D1Database;
}

/** The binding names INDEX_SHARDS lists, in order, each once (MESSAGE_INDEX when unset or blank). */
export function shardNames(setting: string | undefined): string[] {
  const names = (setting ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  return names.length === 0 ? ["MESSAGE_INDEX"] : [...new Set(names)];
}

/** Whether `value` is a D1 binding (what `prepare` and `batch` need). */
function isD1(value: unknown): value is D1Database {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<"prepare" | "batch", unknown>>;
  return typeof candidate.prepare === "function" && typeof candidate.batch === "function";
}

/**
 * The problem with INDEX_SHARDS in `env` (a name that is no D1 binding), or undefined; unset, it means
 * MESSAGE_INDEX and is no configuration problem (a missing binding then fails the index's operations, 503).
 * Never quotes a name.
 */
export function indexShardsProblem(env: Env): string | undefined {
  if ((env.INDEX_SHARDS ?? "").trim() === "") return undefined;
  const bindings = env as unknown as Record<string, unknown>;
  const missing = shardNames(env.INDEX_SHARDS).filter((name) => !isD1(bindings[name])).length;
  return missing === 0 ? undefined : `names ${missing} binding(s) that are not D1 databases`;
}

/**
 * The configured shards; throws an IndexError when one is no D1 database (see indexShardsProblem), which the
 * routes answer with 503.
 */
export function indexShards(env: Env): IndexShard[] {
  const bindings = env as unknown as Record<string, unknown>;
  return shardNames(env.INDEX_SHARDS).map((name) => {
    const db = bindings[name];
    if (!isD1(db)) throw new IndexError("indexShards", new RangeError("a shard is not a D1 binding"));
    return { name, db };
  });
}

/** The shard named `name` among `shards`, if it is still configured. */
export function shardNamed(shards: readonly IndexShard[], name: string): IndexShard | undefined {
  return shards.find((shard) => shard.name === name);
}
