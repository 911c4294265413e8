/**
 * `npm run reliability`: runs the suites whose figures docs/RELIABILITY.md cites (`npm run test:workerd`, then
 * `npm run test:faults`) and writes their figures into the document, stamped with the commit, so that the page
 * always shows one run of the code it describes. `--from-reports` only rewrites the document from the reports
 * a previous run left (e.g. CI's). Exits non-zero when a suite failed or a report is missing or incomplete.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { startNode } from "../../harness/processes.ts";
import { REPO_ROOT } from "../../harness/repo.ts";
import {
  faultsTable,
  replaceBlock,
  type ScenarioFigures,
  stampLine,
  summaryTable,
  type WorkerdFigures,
} from "./render.ts";

const DOC = join(REPO_ROOT, "docs/RELIABILITY.md");

/** Runs an npm script of this project to its end, on this terminal. */
async function run(script: string): Promise<void> {
  const npm = process.env.npm_execpath;
  if (!npm) throw new Error("run this through npm: npm run reliability");
  const { code } = await startNode([npm, "run", script], { stdio: "inherit" }).exited;
  if (code !== 0) throw new Error(`npm run ${script} failed (exit ${code})`);
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(REPO_ROOT, file), "utf8")) as T;
}

function commit(): string {
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT }).toString().trim();
  const dirty = execFileSync(
    "git",
    ["status", "--porcelain", "--", "src", "test", "harness", "wrangler.toml"],
    {
      cwd: REPO_ROOT,
    },
  )
    .toString()
    .trim();
  return dirty ? `${head}+uncommitted` : head;
}

if (!process.argv.includes("--from-reports")) {
  await run("test:workerd");
  await run("test:faults");
}
const workerd = readJson<WorkerdFigures>("reports/fuzz-figures.json");
if (!workerd.complete)
  throw new Error("reports/fuzz-figures.json is from a partial run: run npm run test:workerd");
const faults = Object.values(readJson<Record<string, ScenarioFigures>>("reports/faults-figures.json"));
const stamp = stampLine({
  commit: commit(),
  date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
  machine: `${cpus().length} vCPUs (${cpus()[0]?.model.trim() ?? "unknown"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`,
});
let doc = readFileSync(DOC, "utf8");
doc = replaceBlock(doc, "summary", `${summaryTable(workerd, faults)}\n\n${stamp}`);
doc = replaceBlock(doc, "faults", `${faultsTable(faults)}\n\n${stamp}`);
writeFileSync(DOC, doc);
console.log(
  `docs/RELIABILITY.md: figures of ${faults.length} fault scenarios and ${workerd.fuzz.requests} fuzzed callbacks written`,
);
