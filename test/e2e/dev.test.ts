/**
 * `npm run dev` (scripts/dev.ts) as a user runs it: it creates the settings file, starts wrangler dev and
 * the built-in downstream, prints each forwarded event verified and masked, reports configuration problems,
 * and stops every process it started on SIGINT or SIGTERM, or when wrangler dies.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../harness/ports.ts";
import { groupAlive, type NodeProcess, runNode, startNode } from "../../harness/processes.ts";
import { waitFor } from "../../harness/wait.ts";
import { DEV_VARS_EXAMPLE, missingSettings, parseDevVars } from "../../scripts/lib/dev-vars.ts";
import { planDownstream } from "../../scripts/lib/downstream-plan.ts";

/** A running `scripts/dev.ts` and everything it printed. */
interface Dev {
  process: NodeProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const BANNER_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;
const started: Dev[] = [];
let dir = "";

function startDev(args: readonly string[]): Dev {
  const child = startNode(["scripts/dev.ts", ...args], { env: { NO_COLOR: "1" } });
  const dev = {
    process: child,
    output: () => child.output(),
    exited: child.exited.then((exit) => exit.code),
  };
  started.push(dev);
  return dev;
}

/** The arguments for free ports, a fresh state directory and `devVars`; wrangler's inspector gets a free port too. */
async function devArgs(devVars: string): Promise<{ args: string[]; port: number; downstreamPort: number }> {
  const [port, downstreamPort, inspectorPort] = [await freePort(), await freePort(), await freePort()];
  const args = ["--port", String(port), "--downstream-port", String(downstreamPort)];
  args.push(
    "--persist-to",
    join(dir, "state"),
    "--dev-vars",
    devVars,
    "--",
    "--inspector-port",
    String(inspectorPort),
  );
  return { args, port, downstreamPort };
}

function waitForOutput(dev: Dev, pattern: RegExp, timeoutMs = BANNER_TIMEOUT_MS): Promise<RegExpExecArray> {
  return waitFor(() => pattern.exec(dev.output()), timeoutMs, {
    intervalMs: 200,
    describe: () => dev.output().slice(-4000),
  });
}

/** The process group dev.ts started wrangler in, as it announced it. */
function wranglerGroup(dev: Dev): number {
  return Number(/process group (\d+)/.exec(dev.output())?.[1] ?? Number.NaN);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Sends `signal` to dev.ts and expects it, and every process of wrangler's group, gone in time. */
async function expectStopped(
  dev: Dev,
  signal: NodeJS.Signals | undefined,
  ports: number[],
): Promise<number | null> {
  if (signal) dev.process.signal(signal);
  const code = await Promise.race([
    dev.exited,
    new Promise<"hung">((r) => setTimeout(() => r("hung"), STOP_TIMEOUT_MS)),
  ]);
  expect(code, dev.output().slice(-3000)).not.toBe("hung");
  const pgid = wranglerGroup(dev);
  expect(Number.isInteger(pgid)).toBe(true);
  expect(groupAlive(pgid)).toBe(false);
  for (const port of ports) expect(await portFree(port)).toBe(true);
  return code === "hung" ? null : code;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "bw-dev-e2e-"));
});

afterEach(async () => {
  // Whatever a failed test left running: dev.ts and wrangler's whole group.
  for (const dev of started.splice(0)) {
    const pgid = wranglerGroup(dev);
    if (Number.isInteger(pgid) && groupAlive(pgid)) process.kill(-pgid, "SIGKILL");
    dev.process.killNow();
  }
  await rm(dir, { recursive: true, force: true });
});

describe("npm run dev", () => {
  it("creates the settings file, shows each forwarded event with a valid signature and masked numbers, and stops everything on SIGINT", async () => {
    const devVars = join(dir, ".dev.vars");
    const { args, port, downstreamPort } = await devArgs(devVars);
    const dev = startDev(args);
    await waitForOutput(dev, /In another terminal: npm run send/);
    expect(dev.output()).toContain(`created ${devVars} from .dev.vars.example`);
    expect(await readFile(devVars, "utf8")).toBe(await readFile(DEV_VARS_EXAMPLE, "utf8"));
    const example = parseDevVars(await readFile(DEV_VARS_EXAMPLE, "utf8"));
    expect(dev.output()).toContain(`http://127.0.0.1:${port}/callbacks/messaging`);
    expect(dev.output()).toContain(`http://127.0.0.1:${downstreamPort}/events`);
    expect(dev.output()).toContain(example.CALLBACK_PASSWORD);
    // The message index was migrated before wrangler dev started.
    expect(dev.output()).toContain("applying the message index's migrations");
    const stats = await fetch(`http://127.0.0.1:${port}/stats`, {
      headers: { authorization: `Bearer ${example.ADMIN_TOKEN}` },
    });
    expect(stats.status, await stats.text()).toBe(200);

    const url = `http://127.0.0.1:${port}/callbacks/messaging`;
    const sent = await runNode(["scripts/send.ts", "--url", url, "--dev-vars", devVars], {
      timeoutMs: 60_000,
    });
    expect(sent.code, sent.output).toBe(0);
    const callbacks = Number(/(\d+) callbacks: \1 accepted, 0 failed/.exec(sent.stdout)?.[1]);
    expect(callbacks).toBeGreaterThan(0);
    await waitFor(() => dev.output().split("signature ok").length - 1 >= callbacks, 30_000, {
      describe: () => dev.output().slice(-4000),
    });
    expect(dev.output()).toMatch(
      /com\.bandwidth\.message\.delivered .* to \+1\*+\d\d .*delivered .*signature ok/,
    );
    expect(dev.output()).not.toContain("SIGNATURE INVALID");
    expect(dev.output()).not.toMatch(/\+\d{6,}/);
    expect(dev.output()).not.toContain(example.DOWNSTREAM_SECRET);

    expect(await expectStopped(dev, "SIGINT", [port, downstreamPort])).toBe(0);
    expect(dev.output()).toContain("SIGINT: stopping");
  });

  it("warns about a setting the file lacks, prints the problem /healthz reports, and stops on SIGTERM", async () => {
    const devVars = join(dir, "partial.dev.vars");
    const example = await readFile(DEV_VARS_EXAMPLE, "utf8");
    await writeFile(devVars, example.replace(/^ALLOW_LOOPBACK_DOWNSTREAM=.*$/m, ""));
    const { args, port, downstreamPort } = await devArgs(devVars);
    const dev = startDev(args);
    await waitForOutput(dev, /In another terminal: npm run send/);
    expect(dev.output()).toMatch(/warning: .*partial\.dev\.vars does not set ALLOW_LOOPBACK_DOWNSTREAM/);
    expect(dev.output()).toMatch(/configuration problems[^\n]*\n\s+- DOWNSTREAM_URL: /);
    expect(await expectStopped(dev, "SIGTERM", [port, downstreamPort])).toBe(0);
  });

  it("stops the downstream and exits non-zero when wrangler dev exits on its own", async () => {
    const { args, downstreamPort } = await devArgs(join(dir, ".dev.vars"));
    const dev = startDev([...args, "--no-such-wrangler-option"]);
    expect(await expectStopped(dev, undefined, [downstreamPort])).toBe(1);
    expect(dev.output()).toMatch(/wrangler dev exited on its own \(exit code 1\)/);
  });

  it("prints the usage and exits 2 for an unknown option", async () => {
    const dev = startDev(["--no-such-option"]);
    expect(await dev.exited).toBe(2);
    expect(dev.output()).toContain("Usage: npm run dev");
  });
});

describe("the settings file and the downstream plan", () => {
  it("parses dotenv lines with comments and quotes and names the settings the example has and the file lacks", () => {
    const vars = parseDevVars("# comment\nA=1\nexport B=\"two words\"\nC=plain # trailing\n\nD='x#y'\n");
    expect(vars).toEqual({ A: "1", B: "two words", C: "plain", D: "x#y" });
    expect(missingSettings({ A: "", E: "", F: "" }, vars)).toEqual(["E", "F"]);
  });

  it("keeps a local DOWNSTREAM_URL, overrides it for another port or when absent, and leaves a remote one alone", () => {
    expect(planDownstream("http://127.0.0.1:8788/events", undefined)).toEqual({
      listenPort: 8788,
      url: "http://127.0.0.1:8788/events",
      override: false,
    });
    expect(planDownstream("http://localhost:8788/in", 9000)).toEqual({
      listenPort: 9000,
      url: "http://127.0.0.1:9000/in",
      override: true,
    });
    expect(planDownstream(undefined, undefined)).toEqual({
      listenPort: 8788,
      url: "http://127.0.0.1:8788/events",
      override: true,
    });
    expect(planDownstream("https://events.example.com/bw", undefined)).toEqual({
      listenPort: undefined,
      url: "https://events.example.com/bw",
      override: false,
    });
  });
});
