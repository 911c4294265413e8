/**
 * `npm run migrate:index -- --remote` (or `--local`): applies the migrations of migrations/ to every shard of
 * the message index, i.e. every `[[d1_databases]]` binding of wrangler.toml, one after another, with
 * `wrangler d1 migrations apply <binding>`. Run it before `npm run deploy` whenever migrations/ or the shards
 * changed (docs/deploy.md). Stops at the first failure, with wrangler's exit code.
 */

import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { d1Bindings } from "../harness/message-index.ts";
import { REPO_ROOT } from "../harness/repo.ts";

const where = process.argv.includes("--local")
  ? "--local"
  : process.argv.includes("--remote")
    ? "--remote"
    : "";
if (where === "") {
  console.error("usage: npm run migrate:index -- --remote | --local");
  process.exit(2);
}
const bindings = d1Bindings(await readFile(join(REPO_ROOT, "wrangler.toml"), "utf8"));
for (const binding of bindings) {
  console.log(`wrangler d1 migrations apply ${binding} ${where}`);
  const run = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", binding, where], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
