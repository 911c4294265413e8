/**
 * `wrangler dev` as a child of `npm run dev`: spawned from node_modules in its own process group (so that
 * stopping it stops workerd and esbuild too), its output split into lines, kept for the end and filtered
 * down to errors and warnings unless the user asks for all of it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "./dev-vars.ts";

/** How to start wrangler dev. */
export interface WranglerDevOptions {
  port: number;
  /** The settings file wrangler reads its secrets and variables from (`--env-file`). */
  envFile: string;
  persistTo?: string;
  /** `--var`s that override the settings file. */
  vars: Readonly<Record<string, string>>;
  /** Passed through after ours (e.g. `--inspector-port`). */
  extraArgs: readonly string[];
  /** Called with each line of wrangler's stdout and stderr, colours removed. */
  onLine(line: string): void;
}

/** How wrangler ended. */
export interface WranglerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const TAIL_LINES = 60;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour sequences start with ESC.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Whether a line of wrangler's output is worth showing when it is otherwise kept quiet. Pure. */
export function isNoteworthy(line: string): boolean {
  return /✘|\[ERROR\]|\[wrangler:error\]|▲ \[WARNING\]|"level":"(warn|error)"/.test(line);
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether any process of group `pgid` is still alive. */
export function groupAlive(pgid: number): boolean {
  return signalGroup(pgid, 0);
}

/** A running `wrangler dev` process group. */
export class WranglerDev {
  readonly pgid: number;
  /** Resolves when the wrangler process itself exits. */
  readonly exited: Promise<WranglerExit>;
  private readonly child: ChildProcess;
  private readonly tailLines: string[] = [];

  constructor(options: WranglerDevOptions) {
    const wrangler = realpathSync(join(REPO_ROOT, "node_modules/.bin/wrangler"));
    const args = [wrangler, "dev", "--ip", "127.0.0.1", "--port", String(options.port)];
    args.push("--env-file", options.envFile, "--show-interactive-dev-session=false");
    if (options.persistTo) args.push("--persist-to", options.persistTo);
    for (const [name, value] of Object.entries(options.vars)) args.push("--var", `${name}:${value}`);
    args.push(...options.extraArgs);
    // process.execPath is the Node that runs this script: under npm, node_modules' Node 24, which wrangler needs.
    this.child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NO_COLOR: "1",
        FORCE_COLOR: "0",
        PATH: [dirname(process.execPath), join(REPO_ROOT, "node_modules/.bin"), process.env.PATH ?? ""].join(
          ":",
        ),
      },
    });
    if (this.child.pid === undefined) throw new Error("could not start wrangler dev");
    this.pgid = this.child.pid;
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve({ code, signal })),
    );
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (raw) => {
        const line = raw.replace(ANSI, "");
        this.tailLines.push(line);
        if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
        options.onLine(line);
      });
    }
  }

  /** Whether the wrangler process is still running. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of wrangler's output. */
  tail(): string[] {
    return [...this.tailLines];
  }

  /** SIGTERMs the whole group, SIGKILLs what is left after `graceMs`, and waits until the group is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    signalGroup(this.pgid, "SIGTERM");
    if (!(await waitGroupGone(this.pgid, graceMs))) signalGroup(this.pgid, "SIGKILL");
    await waitGroupGone(this.pgid, graceMs);
  }

  /** Synchronously SIGKILLs the whole group: the last resort when this process exits. */
  killNow(): void {
    signalGroup(this.pgid, "SIGKILL");
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !groupAlive(pgid);
}
