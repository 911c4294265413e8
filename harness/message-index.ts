/**
 * The message index of a local `wrangler dev` (its shards: every D1 binding of the configuration, MESSAGE_INDEX
 * in wrangler.toml): its migrations applied to each with `wrangler d1 migrations apply <binding> --local`, into
 * the same `--persist-to` directory the Worker will run with, and generated rows loaded into it. Used by
 * `npm run dev`, the receiver of the end-to-end and fault tests, and the bench.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { REPO_ROOT } from "./repo.ts";
import { runWrangler } from "./wrangler.ts";

/** Where the local database lives and which configuration names it. */
export interface LocalIndexOptions {
  /** wrangler's `--persist-to` (default: wrangler's own, `.wrangler/state` of `cwd`). */
  persistTo?: string;
  /** The directory wrangler runs in (default: the repository root). */
  cwd?: string;
  /** wrangler's config file (default: wrangler.toml of `cwd`). */
  config?: string;
}

/** `wrangler d1 migrations apply` failed; its output is in the message. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

const TIMEOUT_MS = 120_000;

/** The arguments of `wrangler d1 migrations apply <binding> --local` for `options`. Pure. */
export function migrationArgs(options: LocalIndexOptions = {}, binding = "MESSAGE_INDEX"): string[] {
  const args = ["d1", "migrations", "apply", binding, "--local"];
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  if (options.config) args.push("--config", options.config);
  return args;
}

/** The binding names of the `[[d1_databases]]` tables of a wrangler.toml, in order. Pure. */
export function d1Bindings(toml: string): string[] {
  const names: string[] = [];
  for (const table of toml.split(/^\s*\[/m).slice(1)) {
    if (!table.startsWith("[d1_databases]]")) continue;
    const binding = /^\s*binding\s*=\s*"([^"]+)"/m.exec(table)?.[1];
    if (binding) names.push(binding);
  }
  return names;
}

/**
 * Applies every migration of migrations/ not applied yet to each local shard of the index (every D1 binding of
 * the configuration); throws a MigrationError.
 */
export async function applyLocalMigrations(options: LocalIndexOptions = {}): Promise<void> {
  const cwd = options.cwd ?? REPO_ROOT;
  const config = options.config ?? "wrangler.toml";
  const bindings = d1Bindings(await readFile(isAbsolute(config) ? config : join(cwd, config), "utf8"));
  for (const binding of bindings.length === 0 ? ["MESSAGE_INDEX"] : bindings) {
    const run = await runWrangler(migrationArgs(options, binding), cwd, TIMEOUT_MS);
    if (run.code !== 0) {
      throw new MigrationError(
        `wrangler d1 migrations apply ${binding} --local failed (${run.code ?? run.signal}):\n${run.output.slice(-4_000)}`,
      );
    }
  }
}

/**
 * Runs the SQL file `file` against the local shard (MESSAGE_INDEX unless `shard` names another) of `persistTo` (`wrangler d1 execute --local`): how
 * the bench and the index's e2e test load generated rows. Throws with wrangler's output when it fails.
 */
export async function executeLocalSql(
  file: string,
  persistTo: string,
  timeoutMs = TIMEOUT_MS,
  shard: { binding: string; config?: string } = { binding: "MESSAGE_INDEX" },
): Promise<void> {
  const args = [
    "d1",
    "execute",
    shard.binding,
    ...(shard.config ? ["--config", shard.config] : []),
    "--local",
    "--persist-to",
    persistTo,
    "--file",
    file,
    "--yes",
  ];
  const run = await runWrangler(args, REPO_ROOT, timeoutMs);
  if (run.code !== 0) {
    throw new Error(`wrangler d1 execute failed (${run.code ?? run.signal}):\n${run.output.slice(-3_000)}`);
  }
}

/**
 * A copy of wrangler.toml whose index has `shards` shards: MESSAGE_INDEX and INDEX_SHARD_2 … as D1 bindings of
 * their own, all named in INDEX_SHARDS. Pure; the bench's index scenario writes it beside wrangler.toml.
 */
export function shardedConfig(toml: string, shards: number): { toml: string; names: string[] } {
  const names = ["MESSAGE_INDEX", ...Array.from({ length: shards - 1 }, (_, i) => `INDEX_SHARD_${i + 2}`)];
  const extra = names
    .slice(1)
    .map(
      (name, i) =>
        `\n[[d1_databases]]\nbinding = "${name}"\ndatabase_name = "bench-index-shard-${i + 2}"\ndatabase_id = "00000000-0000-4000-8000-00000000000${i + 2}"\nmigrations_dir = "migrations"\n`,
    )
    .join("");
  const withVar = toml.replace(/^INDEX_SHARDS = .*$/m, `INDEX_SHARDS = "${names.join(",")}"`);
  return { toml: `${withVar.trimEnd()}\n${extra}`, names };
}
