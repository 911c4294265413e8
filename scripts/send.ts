/**
 * `npm run send`: sends Bandwidth-shaped callbacks to the receiver with the development credentials and
 * shows each answer. Exits 0 when every callback is accepted (2xx), 1 otherwise, 2 on a usage mistake.
 */
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { type CallbackOutcome, type CallbackTarget, sendCallback } from "./lib/callback-client.ts";
import { integerOption, runCommand, UsageError } from "./lib/cli.ts";
import { DEFAULT_DEV_VARS, DEV_VARS_EXAMPLE, devCredentials, readDevVars } from "./lib/dev-vars.ts";
import { runBounded } from "./lib/pool.ts";
import { ProgressReporter } from "./lib/progress.ts";
import { defaultSamples, type SampleCallback, syntheticMessage } from "./lib/samples.ts";
import { callbackLine, summarizeCallback, totals, totalsLine } from "./lib/send-report.ts";

const DEFAULT_URL = "http://127.0.0.1:8787/callbacks/messaging";

const USAGE = `Usage: npm run send -- [options]

Sends Bandwidth-shaped callbacks to the receiver and shows each answer. Without --file or --count it sends the
samples: one of each event type the receiver knows, a group message and a failure with an error code.
Exits 0 when every callback is accepted, 1 when any is not (non-2xx or unreachable), 2 on a usage mistake.

Options:
  --url <url>           callback URL (default ${DEFAULT_URL})
  --username <name>     Basic username (default: CALLBACK_USERNAME from .dev.vars, else .dev.vars.example)
  --password <password> Basic password (default: CALLBACK_PASSWORD from the same file)
  --dev-vars <path>     settings file to read the default credentials from (default .dev.vars)
  --file <path>         send the JSON in this file as one callback (an array of events, or one event)
  --count <n>           send n synthetic messages, each a sending and a delivered callback
  --concurrency <n>     callbacks in flight with --count (default 8)
  --timeout <ms>        timeout of each request (default 15000)
  --help                show this help
`;

const MAX_FAILURE_LINES = 5;

function parseOptions() {
  const { values } = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      url: { type: "string", default: DEFAULT_URL },
      username: { type: "string" },
      password: { type: "string" },
      "dev-vars": { type: "string" },
      file: { type: "string" },
      count: { type: "string" },
      concurrency: { type: "string", default: "8" },
      timeout: { type: "string", default: "15000" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.file !== undefined && values.count !== undefined)
    throw new UsageError("use --file or --count, not both");
  if (!URL.canParse(values.url)) throw new UsageError(`--url is not a URL: "${values.url}"`);
  return values;
}

/** The credentials: options first, then the settings file, then the committed example. */
function target(values: ReturnType<typeof parseOptions>): CallbackTarget {
  const vars =
    readDevVars(values["dev-vars"] ? resolve(values["dev-vars"]) : DEFAULT_DEV_VARS) ??
    readDevVars(DEV_VARS_EXAMPLE) ??
    {};
  const fromFile = devCredentials(vars);
  return {
    url: values.url,
    username: values.username ?? fromFile.username,
    password: values.password ?? fromFile.password,
    timeoutMs: integerOption("timeout", values.timeout, 100, 600_000),
  };
}

/** The JSON of `--file` as one callback body: an array as is, a single event wrapped in an array. */
function fileCallback(path: string): SampleCallback {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`--file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof json !== "object" || json === null)
    throw new UsageError(`--file ${path}: not a JSON array or object`);
  return { label: basename(path), events: (Array.isArray(json) ? json : [json]) as SampleCallback["events"] };
}

/** Sends callbacks one after another (so each message's events arrive in order), one line each. */
async function sendInOrder(
  to: CallbackTarget,
  callbacks: readonly SampleCallback[],
): Promise<CallbackOutcome[]> {
  const outcomes: CallbackOutcome[] = [];
  for (const [index, callback] of callbacks.entries()) {
    const outcome = await sendCallback(to, callback.events);
    outcomes.push(outcome);
    console.log(
      callbackLine(index + 1, callbacks.length, summarizeCallback(callback.events), outcome, callback.label),
    );
  }
  return outcomes;
}

/** Sends `count` synthetic messages, `concurrency` callbacks at a time, each message's two in order. */
async function sendLoad(to: CallbackTarget, count: number, concurrency: number): Promise<CallbackOutcome[]> {
  const outcomes: CallbackOutcome[] = [];
  const progress = new ProgressReporter(count * 2, process.stderr);
  let failureLines = 0;
  const now = Date.now();
  // Each task is one message, so its sending callback is answered before its delivered one is sent.
  await runBounded(count, concurrency, async (index) => {
    for (const callback of syntheticMessage(index, now)) {
      const outcome = await sendCallback(to, callback.events);
      outcomes.push(outcome);
      progress.tick(outcome.kind === "accepted");
      if (outcome.kind !== "accepted" && failureLines++ < MAX_FAILURE_LINES) {
        progress.clear();
        console.log(callbackLine(outcomes.length, count * 2, summarizeCallback(callback.events), outcome));
      }
    }
  });
  return outcomes;
}

async function main(): Promise<number> {
  const values = parseOptions();
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const to = target(values);
  console.log(`sending to ${to.url} as ${to.username ? `"${to.username}"` : "(no credentials)"}`);
  const started = performance.now();
  let outcomes: CallbackOutcome[];
  if (values.count !== undefined) {
    const count = integerOption("count", values.count, 1, 1_000_000);
    const concurrency = integerOption("concurrency", values.concurrency, 1, 256);
    outcomes = await sendLoad(to, count, concurrency);
  } else {
    const callbacks = values.file !== undefined ? [fileCallback(values.file)] : defaultSamples();
    outcomes = await sendInOrder(to, callbacks);
  }
  const sum = totals(outcomes);
  console.log(totalsLine(sum, values.count !== undefined ? performance.now() - started : undefined));
  if (sum.unreachable > 0) console.log("the receiver did not answer: is it running? (npm run dev)");
  return sum.failed === 0 ? 0 : 1;
}

await runCommand(USAGE, main);
