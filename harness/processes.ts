/**
 * The one home of child processes for the scripts, the tests and the bench: Node programs (wrangler's CLI is
 * one) run with the Node that runs the caller (under npm: node_modules' Node 24), optionally as the leader of
 * their own process group so that a stop reaches everything they started, and always stopped within bounds.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "./repo.ts";
import { sleep } from "./wait.ts";

/** How a process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How to start a Node program. */
export interface NodeProcessOptions {
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Added to (or overriding) this process's environment. */
  env?: Readonly<Record<string, string>>;
  /** Leads its own process group: signals then reach every process it starts (default false). */
  group?: boolean;
  /** `pipe` (default) captures stdout and stderr; `inherit` shares this process's terminal. */
  stdio?: "pipe" | "inherit";
  /** Called with each line of stdout and stderr (`pipe` only). */
  onLine?: (line: string) => void;
}

/** How to stop a process. */
export interface StopOptions {
  /** `SIGTERM` (default) asks first and kills after `graceMs`; `SIGKILL` kills at once, like a crash. */
  signal?: "SIGTERM" | "SIGINT" | "SIGKILL";
  /** How long a signal gets to work (default 5 s). */
  graceMs?: number;
}

/** Characters of output kept (the most recent). */
const OUTPUT_LIMIT = 1024 * 1024;

/** Sends `signal` to every process of group `pgid`; false when the group is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
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

/** Waits until group `pgid` is gone, at most `timeoutMs`; whether it is gone. */
async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < 1000 && Date.now() < deadline; round++) {
    if (!groupAlive(pgid)) return true;
    await sleep(50);
  }
  return !groupAlive(pgid);
}

/** A running Node program; see {@link startNode}. */
export class NodeProcess {
  /** The process id (and, with `group`, the process group id). */
  readonly pid: number;
  /** Resolves when the process exits. */
  readonly exited: Promise<ProcessExit>;
  /** Resolves when the process has exited and its output streams are closed (all its output read). */
  readonly closed: Promise<void>;
  private readonly child: ChildProcess;
  private readonly group: boolean;
  private readonly captured = { output: "", stdout: "", stderr: "" };

  /** Spawns `node args…`; see {@link startNode}. */
  constructor(args: readonly string[], options: NodeProcessOptions = {}) {
    const capture = (options.stdio ?? "pipe") === "pipe";
    this.group = options.group ?? false;
    this.child = spawn(process.execPath, args, {
      cwd: options.cwd ?? REPO_ROOT,
      detached: this.group,
      stdio: ["ignore", capture ? "pipe" : "inherit", capture ? "pipe" : "inherit"],
      env: { ...process.env, ...options.env },
    });
    if (this.child.pid === undefined) throw new Error(`could not start node ${args.join(" ")}`);
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      if (!this.running) resolve({ code: this.child.exitCode, signal: this.child.signalCode });
      else this.child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    this.closed = new Promise((resolve) => this.child.once("close", () => resolve()));
    for (const [name, stream] of [
      ["stdout", this.child.stdout],
      ["stderr", this.child.stderr],
    ] as const) {
      if (!stream) continue;
      stream.on("data", (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        this.captured.output = (this.captured.output + text).slice(-OUTPUT_LIMIT);
        this.captured[name] = (this.captured[name] + text).slice(-OUTPUT_LIMIT);
      });
      const onLine = options.onLine;
      if (onLine) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", onLine);
    }
  }

  /** Whether the process itself is still running. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Its stdout and stderr so far, interleaved as they arrived (the last MiB). */
  output(): string {
    return this.captured.output;
  }

  /** Its stdout so far (the last MiB). */
  stdout(): string {
    return this.captured.stdout;
  }

  /** Its stderr so far (the last MiB). */
  stderr(): string {
    return this.captured.stderr;
  }

  /** Sends `signal` to the process, or to its whole group when it leads one. */
  signal(signal: NodeJS.Signals): void {
    if (this.group) signalGroup(this.pid, signal);
    else if (this.running) this.child.kill(signal);
  }

  /**
   * Stops the process (with `group`, every process of its group): `signal`, then SIGKILL after `graceMs`, and
   * waits until it is gone. Throws when it survives even SIGKILL.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    const { signal = "SIGTERM", graceMs = 5_000 } = options;
    const gone = () => (this.group ? waitGroupGone(this.pid, graceMs) : this.exitedWithin(graceMs));
    this.signal(signal);
    if (signal !== "SIGKILL" && !(await gone())) this.signal("SIGKILL");
    const stopped = await gone();
    await this.exitedWithin(graceMs);
    if (!stopped) throw new Error(`process ${this.group ? "group " : ""}${this.pid} did not exit`);
  }

  /** Synchronously SIGKILLs the process (or its group): the last resort when this process exits. */
  killNow(): void {
    this.signal("SIGKILL");
  }

  private exitedWithin(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void this.exited.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}

/** Starts `node args…` (a script path first) with the Node running this process. */
export function startNode(args: readonly string[], options: NodeProcessOptions = {}): NodeProcess {
  return new NodeProcess(args, options);
}

/** What {@link runNode} returns: how the program ended and what it printed. */
export interface NodeRun extends ProcessExit {
  /** stdout and stderr, interleaved. */
  output: string;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node args…` to its end and returns its exit and output; after `timeoutMs` it is stopped (SIGTERM,
 * then SIGKILL) and the run ends with that signal.
 */
export async function runNode(
  args: readonly string[],
  options: Omit<NodeProcessOptions, "stdio" | "group"> & { timeoutMs: number },
): Promise<NodeRun> {
  const child = startNode(args, options);
  const timer = setTimeout(() => void child.stop().catch(() => undefined), options.timeoutMs);
  try {
    const exit = await child.exited;
    // The last output may arrive after the exit; a grandchild that keeps the pipes open must not hang the run.
    await Promise.race([child.closed, sleep(1_000)]);
    return { ...exit, output: child.output(), stdout: child.stdout(), stderr: child.stderr() };
  } finally {
    clearTimeout(timer);
  }
}
