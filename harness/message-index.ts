/**
 * The message index (D1 binding MESSAGE_INDEX) of a local `wrangler dev`: its migrations applied with
 * `wrangler d1 migrations apply MESSAGE_INDEX --local`, into the same `--persist-to` directory the Worker will
 * run with, and generated rows loaded into it. Used by `npm run dev`, the receiver of the end-to-end and fault
 * tests, and the bench.
 */
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

/** The arguments of `wrangler d1 migrations apply MESSAGE_INDEX --local` for `options`. Pure. */
export function migrationArgs(options: LocalIndexOptions = {}): string[] {
  const args = ["d1", "migrations", "apply", "MESSAGE_INDEX", "--local"];
  if (options.persistTo) args.push("--persist-to", options.persistTo);
  if (options.config) args.push("--config", options.config);
  return args;
}

/** Applies every migration of migrations/ not applied yet to the local MESSAGE_INDEX; throws a MigrationError. */
export async function applyLocalMigrations(options: LocalIndexOptions = {}): Promise<void> {
  const run = await runWrangler(migrationArgs(options), options.cwd ?? REPO_ROOT, TIMEOUT_MS);
  if (run.code !== 0) {
    throw new MigrationError(
      `wrangler d1 migrations apply MESSAGE_INDEX --local failed (${run.code ?? run.signal}):\n${run.output.slice(-4_000)}`,
    );
  }
}

/**
 * Runs the SQL file `file` against the local MESSAGE_INDEX of `persistTo` (`wrangler d1 execute --local`): how
 * the bench and the index's e2e test load generated rows. Throws with wrangler's output when it fails.
 */
export async function executeLocalSql(
  file: string,
  persistTo: string,
  timeoutMs = TIMEOUT_MS,
): Promise<void> {
  const args = [
    "d1",
    "execute",
    "MESSAGE_INDEX",
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
