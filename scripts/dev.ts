/**
 * `npm run dev`: the receiver under `wrangler dev` on 127.0.0.1 together with a built-in downstream that
 * verifies and prints every forwarded event, its message index (local D1) migrated first. Creates `.dev.vars`
 * from `.dev.vars.example` on first run; Ctrl-C (or SIGTERM) stops everything it started.
 */
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { applyLocalMigrations } from "../harness/message-index.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { isNoteworthy, WranglerDev } from "../harness/wrangler.ts";
import { portOption, runCommand } from "./lib/cli.ts";
import { bannerLines } from "./lib/dev-banner.ts";
import {
  DEFAULT_DEV_VARS,
  DEV_VARS_EXAMPLE,
  type DevVars,
  devCredentials,
  ensureDevVars,
} from "./lib/dev-vars.ts";
import { type DownstreamPlan, planDownstream } from "./lib/downstream-plan.ts";
import { fetchHealth, type Health } from "./lib/health.ts";
import { type LocalDownstream, startLocalDownstream } from "./lib/local-downstream.ts";
import { stopSignals } from "./lib/stop-signals.ts";

const USAGE = `Usage: npm run dev -- [options] [-- <more wrangler dev options>]

Runs the receiver with wrangler dev on 127.0.0.1 and a built-in downstream that verifies and prints each
forwarded event. Settings come from .dev.vars (created from .dev.vars.example when absent).

Options:
  --port <port>             port of the receiver (default 8787)
  --downstream-port <port>  port of the built-in downstream (default: the port of DOWNSTREAM_URL in .dev.vars,
                            else 8788); DOWNSTREAM_URL is overridden to match
  --persist-to <dir>        where wrangler keeps local state (default .wrangler/state)
  --dev-vars <path>         settings file (default .dev.vars)
  --verbose                 show all of wrangler's output (default: its errors and warnings only)
  --help                    show this help
`;

const START_TIMEOUT_MS = 120_000;

type Options = ReturnType<typeof parseOptions>;

function parseOptions(argv: readonly string[]) {
  const split = argv.indexOf("--");
  const { values } = parseArgs({
    args: split < 0 ? [...argv] : argv.slice(0, split),
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string", default: "8787" },
      "downstream-port": { type: "string" },
      "persist-to": { type: "string" },
      "dev-vars": { type: "string" },
      verbose: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const downstreamPort = values["downstream-port"];
  return {
    help: values.help,
    verbose: values.verbose,
    port: portOption("port", values.port),
    downstreamPort: downstreamPort === undefined ? undefined : portOption("downstream-port", downstreamPort),
    persistTo: values["persist-to"] === undefined ? undefined : resolve(values["persist-to"]),
    devVars: values["dev-vars"] === undefined ? DEFAULT_DEV_VARS : resolve(values["dev-vars"]),
    wranglerArgs: split < 0 ? [] : argv.slice(split + 1),
  };
}

function shown(path: string): string {
  const fromRepo = relative(REPO_ROOT, path);
  return fromRepo.startsWith("..") ? path : fromRepo;
}

/** Reads the settings file (creating it when absent) and says what it did or what is missing. */
function loadSettings(path: string): DevVars {
  const state = ensureDevVars(path, DEV_VARS_EXAMPLE);
  const example = shown(DEV_VARS_EXAMPLE);
  if (state.created)
    console.log(`created ${shown(path)} from ${example} (development settings; git ignores it)`);
  for (const name of state.missing) {
    console.warn(`warning: ${shown(path)} does not set ${name}, which ${example} sets; add it from there`);
  }
  return state.vars;
}

/** Starts the built-in downstream when the plan has one; false when its port cannot be bound. */
async function startBuiltInDownstream(
  plan: DownstreamPlan,
  vars: DevVars,
): Promise<LocalDownstream | undefined | false> {
  if (plan.listenPort === undefined) {
    console.log(
      `DOWNSTREAM_URL is not local: events go to ${plan.url}; the built-in downstream is not started`,
    );
    return undefined;
  }
  try {
    const secrets = vars.DOWNSTREAM_SECRET ?? "";
    return await startLocalDownstream({
      port: plan.listenPort,
      secrets,
      report: (line) => console.log(line),
    });
  } catch (error) {
    console.error(
      `cannot listen on 127.0.0.1:${plan.listenPort} for the built-in downstream (${String(error)});`,
    );
    console.error("choose another port with --downstream-port");
    return false;
  }
}

async function startWrangler(
  options: Options,
  plan: DownstreamPlan,
): Promise<{ wrangler: WranglerDev; shownLines: () => number }> {
  let shownLines = 0;
  const wrangler = new WranglerDev({
    port: options.port,
    envFile: options.devVars,
    ...(options.persistTo ? { persistTo: options.persistTo } : {}),
    vars: plan.override ? { DOWNSTREAM_URL: plan.url } : {},
    extraArgs: options.wranglerArgs,
    onLine: (line) => {
      if (!options.verbose && !isNoteworthy(line)) return;
      shownLines++;
      console.log(`wrangler │ ${line}`);
    },
  });
  await wrangler.start();
  const quiet = options.verbose ? "" : "; showing its errors and warnings only (--verbose for all)";
  console.log(
    `starting wrangler dev on 127.0.0.1:${options.port} (process group ${wrangler.pgid})${quiet} …`,
  );
  return { wrangler, shownLines: () => shownLines };
}

type Ending =
  | { kind: "signal"; signal: NodeJS.Signals }
  | { kind: "exit"; code: number | null }
  | { kind: "timeout" };

/**
 * Waits for the receiver to answer `/healthz` (then `onHealthy`), and then for a stop signal or wrangler's
 * exit.
 */
async function supervise(
  wrangler: WranglerDev,
  stopRequested: Promise<NodeJS.Signals>,
  onHealthy: (health: Health) => void,
): Promise<Ending> {
  const signalled = stopRequested.then((signal): Ending => ({ kind: "signal", signal }));
  const crashed = wrangler.exited.then((exit): Ending => ({ kind: "exit", code: exit.code }));
  const health = await Promise.race([
    wrangler.waitReady(fetchHealth, START_TIMEOUT_MS).catch(() => undefined),
    signalled,
  ]);
  if (health && "kind" in health) return health;
  if (!health) return wrangler.running ? { kind: "timeout" } : crashed;
  onHealthy(health);
  return Promise.race([signalled, crashed]);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const vars = loadSettings(options.devVars);
  const plan = planDownstream(vars.DOWNSTREAM_URL, options.downstreamPort);
  const stop = stopSignals();
  console.log(
    "applying the message index's migrations to each shard (wrangler d1 migrations apply <binding> --local) …",
  );
  try {
    await applyLocalMigrations(options.persistTo ? { persistTo: options.persistTo } : {});
  } catch (error) {
    console.error(String(error));
    return 1;
  }
  const downstream = await startBuiltInDownstream(plan, vars);
  if (downstream === false) return 1;
  const { wrangler, shownLines } = await startWrangler(options, plan);
  stop.onRepeat(() => wrangler.killNow());

  const baseUrl = wrangler.baseUrl;
  const ending = await supervise(wrangler, stop.requested, (health) => {
    const facts = {
      baseUrl,
      ...devCredentials(vars),
      downstreamUrl: plan.url,
      builtInDownstream: !!downstream,
      health,
    };
    console.log(bannerLines(facts).join("\n"));
  });
  if (ending.kind === "signal") console.log(`\n${ending.signal}: stopping wrangler dev and the downstream …`);
  else if (ending.kind === "timeout") console.error(`the receiver did not answer ${baseUrl}/healthz in time`);
  else console.error(`wrangler dev exited on its own (exit code ${ending.code ?? "none"})`);
  if (ending.kind !== "signal" && shownLines() === 0) {
    console.error(
      `its last output:\n${wrangler
        .tail()
        .map((line) => `  │ ${line}`)
        .join("\n")}`,
    );
  }
  await wrangler.stop();
  await downstream?.close();
  if (ending.kind !== "signal") return 1;
  console.log("stopped");
  return 0;
}

await runCommand(USAGE, main);
