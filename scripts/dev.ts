/**
 * `npm run dev`: the receiver under `wrangler dev` on 127.0.0.1 together with a built-in downstream that
 * verifies and prints every forwarded event. Creates `.dev.vars` from `.dev.vars.example` on first run;
 * Ctrl-C (or SIGTERM) stops everything it started.
 */
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { portOption, runCommand } from "./lib/cli.ts";
import { bannerLines } from "./lib/dev-banner.ts";
import {
  DEFAULT_DEV_VARS,
  DEV_VARS_EXAMPLE,
  devCredentials,
  ensureDevVars,
  REPO_ROOT,
} from "./lib/dev-vars.ts";
import { planDownstream } from "./lib/downstream-plan.ts";
import { type Health, waitForHealth } from "./lib/health.ts";
import { type LocalDownstream, startLocalDownstream } from "./lib/local-downstream.ts";
import { isNoteworthy, WranglerDev } from "./lib/wrangler-dev.ts";

const USAGE = `Usage: npm run dev -- [options] [-- <more wrangler dev options>]

Runs the receiver with wrangler dev on 127.0.0.1 and a built-in downstream that verifies and prints each
forwarded event. Settings come from .dev.vars (created from .dev.vars.example when absent).

Options:
  --port <port>             port of the receiver (default 8787)
  --downstream-port <port>  port of the built-in downstream (default: the port of DOWNSTREAM_URL in .dev.vars,
                            else 8788); DOWNSTREAM_URL is overridden to match
  --persist-to <dir>        where wrangler keeps local state (default .wrangler/state)
  --dev-vars <path>         settings file (default .dev.vars)
  --verbose                 show all of wrangler's output (default: errors and warnings only)
  --help                    show this help
`;

const START_TIMEOUT_MS = 120_000;

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
  return {
    help: values.help,
    verbose: values.verbose,
    port: portOption("port", values.port),
    downstreamPort:
      values["downstream-port"] === undefined
        ? undefined
        : portOption("downstream-port", values["downstream-port"]),
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
function loadSettings(path: string) {
  const state = ensureDevVars(path, DEV_VARS_EXAMPLE);
  if (state.created) {
    console.log(
      `created ${shown(path)} from ${shown(DEV_VARS_EXAMPLE)} (development credentials; git ignores it)`,
    );
  }
  for (const name of state.missing) {
    console.warn(
      `warning: ${shown(path)} does not set ${name}, which ${shown(DEV_VARS_EXAMPLE)} sets; add it from there`,
    );
  }
  return state.vars;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const vars = loadSettings(options.devVars);
  const plan = planDownstream(vars.DOWNSTREAM_URL, options.downstreamPort);
  const baseUrl = `http://127.0.0.1:${options.port}`;

  let downstream: LocalDownstream | undefined;
  let wrangler: WranglerDev | undefined;
  let stopping: Promise<void> | undefined;
  let requestStop: (signal: NodeJS.Signals) => void = () => {};
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    requestStop = resolve;
  });
  const stopAll = () => {
    stopping ??= (async () => {
      await wrangler?.stop();
      await downstream?.close();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C while stopping: do not wait any longer.
      wrangler?.killNow();
      process.exit(130);
    }
    requestStop(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", () => wrangler?.killNow());

  if (plan.listenPort !== undefined) {
    try {
      downstream = await startLocalDownstream({
        port: plan.listenPort,
        secrets: vars.DOWNSTREAM_SECRET ?? "",
        report: (line) => console.log(line),
      });
    } catch (error) {
      console.error(
        `cannot listen on 127.0.0.1:${plan.listenPort} for the built-in downstream (${String(error)});`,
      );
      console.error("choose another port with --downstream-port");
      return 1;
    }
  } else {
    console.log(
      `DOWNSTREAM_URL is not local: events go to ${plan.url}; the built-in downstream is not started`,
    );
  }

  wrangler = new WranglerDev({
    port: options.port,
    envFile: options.devVars,
    ...(options.persistTo ? { persistTo: options.persistTo } : {}),
    vars: plan.override ? { DOWNSTREAM_URL: plan.url } : {},
    extraArgs: options.wranglerArgs,
    onLine: (line) => {
      if (options.verbose || isNoteworthy(line)) console.log(`wrangler │ ${line}`);
    },
  });
  const quiet = options.verbose ? "" : "; showing its errors and warnings only (--verbose for all)";
  console.log(`starting wrangler dev on ${baseUrl} (process group ${wrangler.pgid})${quiet} …`);

  const running = wrangler;
  const signalled = stopRequested.then((signal) => ({ kind: "signal", signal }) as const);
  const crashed = running.exited.then((exit) => ({ kind: "exit", exit }) as const);
  const healthy = waitForHealth(baseUrl, () => running.running, START_TIMEOUT_MS).then(
    (health) => ({ kind: "healthy", health }) as const,
  );
  const started = await Promise.race([signalled, crashed, healthy]);
  let ending: Awaited<typeof signalled | typeof crashed> | { kind: "timeout" };
  if (started.kind !== "healthy") ending = started;
  else if (!started.health) ending = running.running ? { kind: "timeout" } : await crashed;
  else {
    printBanner(vars, baseUrl, plan.url, downstream !== undefined, started.health);
    ending = await Promise.race([signalled, crashed]);
  }

  if (ending.kind === "signal") {
    console.log(`\n${ending.signal}: stopping wrangler dev and the downstream …`);
    await stopAll();
    console.log("stopped");
    return 0;
  }
  const why =
    ending.kind === "exit"
      ? `wrangler dev exited on its own (${ending.exit.code ?? ending.exit.signal})`
      : `the receiver did not answer ${baseUrl}/healthz within ${START_TIMEOUT_MS / 1000} s`;
  const tail = running.tail().map((line) => `  │ ${line}`);
  console.error(`${why}; its last output:\n${tail.join("\n")}`);
  await stopAll();
  return 1;
}

function printBanner(
  vars: Readonly<Record<string, string>>,
  baseUrl: string,
  downstreamUrl: string,
  builtInDownstream: boolean,
  health: Health,
): void {
  const credentials = devCredentials(vars);
  console.log(bannerLines({ baseUrl, ...credentials, downstreamUrl, builtInDownstream, health }).join("\n"));
}

await runCommand(USAGE, main);
