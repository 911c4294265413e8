/**
 * `npm run deploy`: one command from a fresh clone to a running receiver (after `wrangler login`). It checks the
 * configuration with a dry run, generates the secrets the deployment lacks, applies the index migrations to every
 * index database that exists, deploys (Wrangler creates missing D1 and R2 resources), migrates the databases that
 * deploy created, and prints what to paste into Bandwidth's application. `--plan` stops before the first change
 * and prints the commands it would run. It stops at the first failing command and says what was done.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Unstable_Config, unstable_readConfig } from "wrangler";
import { REPO_ROOT } from "../harness/repo.ts";
import {
  type DeployFacts,
  type DeployStep,
  generateSecret,
  httpDestinationNames,
  type IndexDatabase,
  planDeploy,
} from "./lib/deploy-plan.ts";

const USAGE = `Usage: npm run deploy -- [--plan] [--check] [--config <wrangler config>]

  --plan    show what a deploy would do (runs only read-only wrangler commands), change nothing
  --check   only validate the configuration (wrangler deploy --dry-run); what npm test runs
`;

/** A wrangler command that failed: its arguments and the tail of its output. */
class WranglerError extends Error {
  override name = "WranglerError";
  readonly output: string;
  constructor(args: readonly string[], code: number | null, output: string) {
    super(`wrangler ${args.join(" ")} exited ${code}`);
    this.output = output;
  }
}

/** `--config <path>` when a configuration other than wrangler.toml was named: passed to every command. */
let configArgs: readonly string[] = [];

/** Runs `wrangler args…` (the one on PATH: node_modules/.bin's under npm), echoing its output unless `quiet`. */
function wrangler(args: readonly string[], quiet = false): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn("wrangler", [...args, ...configArgs], {
      cwd: REPO_ROOT,
      stdio: ["inherit", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer, stream: NodeJS.WriteStream) => {
      output += chunk.toString("utf8");
      if (!quiet) stream.write(chunk);
    };
    child.stdout.on("data", (chunk: Buffer) => collect(chunk, process.stdout));
    child.stderr.on("data", (chunk: Buffer) => collect(chunk, process.stderr));
    child.on("error", (error) => reject(new WranglerError(args, null, String(error))));
    child.on("close", (code) =>
      code === 0 ? resolveRun(output) : reject(new WranglerError(args, code, output.slice(-2_000))),
    );
  });
}

/** The index databases of the configuration: INDEX_SHARDS' bindings (default MESSAGE_INDEX), with their names. */
function indexDatabases(config: Unstable_Config): IndexDatabase[] {
  const shards = String(config.vars.INDEX_SHARDS ?? "MESSAGE_INDEX")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  return shards.map((binding) => {
    const database = config.d1_databases.find((entry) => entry.binding === binding);
    if (!database?.database_name) {
      throw new Error(
        `INDEX_SHARDS names ${binding}, which has no [[d1_databases]] entry with a database_name in the wrangler configuration`,
      );
    }
    return { binding, databaseName: database.database_name };
  });
}

/** Whether wrangler has credentials (`wrangler whoami --json` answers `loggedIn: true`; it fails without). */
async function loggedIn(): Promise<boolean> {
  try {
    const whoami = JSON.parse(await wrangler(["whoami", "--json"], true)) as { loggedIn?: boolean };
    return whoami.loggedIn === true;
  } catch (error) {
    if (error instanceof WranglerError) return false;
    throw error;
  }
}

/**
 * DATA_JURISDICTION of the configuration, checked against the storage bound beside it: the media bucket must be
 * declared in the same jurisdiction (Wrangler creates it there), or nothing is deployed.
 */
function dataJurisdiction(config: Unstable_Config): string | undefined {
  const jurisdiction = String(config.vars.DATA_JURISDICTION ?? "").trim();
  if (jurisdiction === "") return undefined;
  if (jurisdiction !== "eu" && jurisdiction !== "fedramp") {
    throw new Error('DATA_JURISDICTION must be "eu", "fedramp" or empty');
  }
  for (const bucket of config.r2_buckets) {
    if (bucket.jurisdiction !== jurisdiction) {
      throw new Error(
        `DATA_JURISDICTION is ${jurisdiction}, but the R2 bucket ${bucket.binding} is not declared with jurisdiction = "${jurisdiction}" in the wrangler configuration`,
      );
    }
  }
  return jurisdiction;
}

/** The secret names set on the deployed Worker, or null when the Worker does not exist yet. */
async function existingSecrets(): Promise<Set<string> | null> {
  try {
    const listed = JSON.parse(await wrangler(["secret", "list", "--format", "json"], true)) as Array<{
      name: string;
    }>;
    return new Set(listed.map((secret) => secret.name));
  } catch (error) {
    if (error instanceof WranglerError && /10007|does not exist|not found/i.test(error.output)) return null;
    throw error;
  }
}

/** The names of the D1 databases of the account. */
async function existingDatabases(): Promise<Set<string>> {
  const listed = JSON.parse(await wrangler(["d1", "list", "--json"], true)) as Array<{ name: string }>;
  return new Set(listed.map((database) => database.name));
}

/** The workers.dev (or route) URL that `wrangler deploy` printed, if any. */
function deployedUrl(output: string): string | undefined {
  return output.match(/https:\/\/[^\s]+\.workers\.dev\b/)?.[0];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      plan: { type: "boolean", default: false },
      check: { type: "boolean", default: false },
      config: { type: "string", default: "wrangler.toml" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const configPath = resolve(REPO_ROOT, values.config);
  if (values.config !== "wrangler.toml") configArgs = ["--config", configPath];
  const scratch = mkdtempSync(join(tmpdir(), "receiver-deploy-"));
  const done: string[] = [];
  let current = "read the wrangler configuration";
  try {
    const config: Unstable_Config = unstable_readConfig({ config: configPath });
    const databases = indexDatabases(config);
    const jurisdiction = dataJurisdiction(config);

    current = "validate the configuration (wrangler deploy --dry-run)";
    await wrangler(["deploy", "--dry-run", "--outdir", join(scratch, "dry-run")], true);
    console.log("✓ configuration valid (wrangler deploy --dry-run)");
    if (values.check) return 0;

    current = "check that wrangler is logged in (wrangler whoami)";
    if (!(await loggedIn()))
      throw new Error("wrangler is not logged in: run `npm exec -- wrangler login` first");

    current = "read the deployed Worker's secrets (wrangler secret list)";
    const secrets = await existingSecrets();
    current = "list the account's D1 databases (wrangler d1 list)";
    const facts: DeployFacts = {
      indexDatabases: databases,
      httpDestinations: httpDestinationNames(config.vars.DESTINATIONS),
      mediaBucket: config.r2_buckets.some((bucket) => bucket.binding === "MEDIA_BUCKET"),
      existingSecrets: secrets,
      existingDatabases: await existingDatabases(),
      ...(jurisdiction ? { jurisdiction } : {}),
    };
    const secretsFile = join(scratch, "secrets.json");
    const plan = planDeploy(facts, secretsFile);

    console.log(secrets === null ? "First deploy: the Worker does not exist yet." : "The Worker exists.");
    if (
      facts.httpDestinations.length === 0 &&
      config.vars.DESTINATIONS === undefined &&
      !config.vars.DOWNSTREAM_URL
    ) {
      console.log(
        "Note: neither DOWNSTREAM_URL nor DESTINATIONS is set in the wrangler configuration: the receiver answers 503 (and /healthz names the setting) until one is.",
      );
    }
    if (plan.generate.length > 0) console.log(`Secrets to generate: ${plan.generate.join(", ")}`);
    if (plan.createdByDeploy.length > 0) {
      console.log(`Index databases Wrangler will create on deploy: ${plan.createdByDeploy.join(", ")}`);
    }
    console.log("Plan:");
    plan.steps.forEach((step, index) => {
      console.log(`  ${index + 1}. wrangler ${step.args.join(" ")}   # ${step.what}`);
    });
    if (values.plan) return 0;

    const generated = Object.fromEntries(plan.generate.map((name) => [name, generateSecret(name)]));
    if (plan.generate.length > 0) writeFileSync(secretsFile, JSON.stringify(generated), { mode: 0o600 });
    for (const step of plan.steps) {
      current = step.what;
      const output = await runStep(step);
      done.push(step.what);
      // Shown as soon as the Worker runs with them: a later failure must not lose the generated values.
      if (step.args[0] === "deploy") printBandwidthSettings(deployedUrl(output), generated);
    }
    console.log("\n✓ Done: configuration checked, index migrated, Worker deployed.");
    return 0;
  } catch (error) {
    console.error(`\n✗ deploy stopped at: ${current}`);
    console.error(error instanceof WranglerError ? `  ${error.message}` : `  ${String(error)}`);
    console.error(
      done.length === 0
        ? "  Nothing was changed on your account."
        : `  Done before it: ${done.join("; ")}. Fix the cause and run npm run deploy again: it picks up from here.`,
    );
    return 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function runStep(step: DeployStep): Promise<string> {
  console.log(`\n→ ${step.what}: wrangler ${step.args.join(" ")}`);
  return wrangler(step.args);
}

/** Prints what to enter in Bandwidth's application; secrets only when they were generated by this run. */
function printBandwidthSettings(url: string | undefined, generated: Record<string, string>): void {
  const shown = (name: string) => generated[name] ?? "(unchanged: the value set before)";
  console.log("\n✓ Worker deployed. In Bandwidth's application (Callbacks), set:");
  console.log(
    `  Callback URL:  ${url ? `${url}/callbacks/messaging` : "<your Worker's URL>/callbacks/messaging"}`,
  );
  console.log(`  Username:      ${shown("CALLBACK_USERNAME")}`);
  console.log(`  Password:      ${shown("CALLBACK_PASSWORD")}`);
  if (generated.ADMIN_TOKEN)
    console.log(`Operator API and console token (ADMIN_TOKEN): ${generated.ADMIN_TOKEN}`);
  const signing = Object.keys(generated).filter(
    (name) => name === "DOWNSTREAM_SECRET" || name.startsWith("DESTINATION_SECRET_"),
  );
  for (const name of signing) console.log(`Signing secret for your downstream (${name}): ${generated[name]}`);
  if (Object.keys(generated).length > 0) {
    console.log(
      "These values are shown once and kept only as Worker secrets: store them in your password manager.",
    );
  }
}

process.exitCode = await main();
