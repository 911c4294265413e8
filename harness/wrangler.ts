/**
 * wrangler as a child process, for `npm run dev`, the end-to-end and fault tests and the bench: `wrangler dev`
 * as a process group that starts, answers a readiness probe, restarts on the same `--persist-to`, dies by
 * SIGKILL and stops; and one-shot wrangler commands. Every wrangler process of the repository starts here.
 */
import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort } from "./ports.ts";
import { type NodeProcess, type NodeRun, runNode, type StopOptions, startNode } from "./processes.ts";
import { REPO_ROOT } from "./repo.ts";
import { type Truthy, waitFor } from "./wait.ts";

/** How to start `wrangler dev`; kept for restarts. */
export interface WranglerDevOptions {
  /** The port on 127.0.0.1, or `free` for a free one picked at every start. */
  port: number | "free";
  /** The inspector's port on 127.0.0.1, or `free` (default: wrangler's own choice). */
  inspectorPort?: number | "free";
  /** The settings file wrangler reads secrets and variables from (`--env-file`; default none: /dev/null). */
  envFile?: string;
  /** Where local state lives (`--persist-to`); a restart keeps it. */
  persistTo?: string;
  /** wrangler's config file (`--config`; default: wrangler.toml of `cwd`). */
  config?: string;
  /** `--var`s, which override the settings file. */
  vars?: Readonly<Record<string, string>>;
  /** Passed after ours (e.g. `--inspector-port` from the user). */
  extraArgs?: readonly string[];
  /** The directory wrangler builds from and runs in (default: the repository root). */
  cwd?: string;
  /** Added to the environment. */
  env?: Readonly<Record<string, string>>;
  /** Called with each line of wrangler's output, colours removed. */
  onLine?: (line: string) => void;
}

/** A `wrangler dev` that failed to start or died while awaited. */
export class WranglerDevError extends Error {
  override name = "WranglerDevError";
}

const LOG_LINES = 2_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour sequences start with ESC.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const running = new Set<WranglerDev>();

// Last resort when the process exits without stopping them (a crash, a failed test): no wrangler outlives it.
process.once("exit", () => {
  for (const wrangler of running) wrangler.killNow();
});

/** The wrangler CLI of node_modules (a Node program). */
function wranglerBin(): string {
  return realpathSync(join(REPO_ROOT, "node_modules/.bin/wrangler"));
}

/** The environment every wrangler runs with: no colours, no metrics, node_modules' Node and binaries first. */
function wranglerEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const path = [dirname(process.execPath), join(REPO_ROOT, "node_modules/.bin"), process.env.PATH ?? ""];
  return { NO_COLOR: "1", FORCE_COLOR: "0", PATH: path.join(":"), ...extra };
}

/** Whether a line of wrangler's output is worth showing when it is otherwise kept quiet. Pure. */
export function isNoteworthy(line: string): boolean {
  return /✘|\[ERROR\]|\[wrangler:error\]|▲ \[WARNING\]|"level":"(warn|error)"/.test(line);
}

/** `wrangler dev` on 127.0.0.1 in its own process group; nothing runs until {@link WranglerDev.start}. */
export class WranglerDev {
  readonly options: WranglerDevOptions;
  private process: NodeProcess | undefined;
  private listeningPort = 0;
  private starts = 0;
  private readonly lines: string[] = [];

  /** @param options how to start it, the same at every (re)start. */
  constructor(options: WranglerDevOptions) {
    this.options = options;
  }

  /** The base URL, e.g. `http://127.0.0.1:8787` (a `free` port changes at every start). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
  }

  /** The process group id of the current run (0 before the first start). */
  get pgid(): number {
    return this.process?.pid ?? 0;
  }

  /** Whether the wrangler process of the current run is running. */
  get running(): boolean {
    return this.process?.running ?? false;
  }

  /** Resolves with how the current run's wrangler process ended. */
  get exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.process) throw new WranglerDevError("wrangler dev was never started");
    return this.process.exited;
  }

  /** Spawns `wrangler dev` in a new process group and returns at once; see {@link waitReady}. */
  async start(): Promise<void> {
    if (this.running) throw new WranglerDevError("wrangler dev is already running");
    const { options } = this;
    this.starts++;
    this.listeningPort = options.port === "free" ? await freePort() : options.port;
    const args = [wranglerBin(), "dev", "--ip", "127.0.0.1", "--port", String(this.listeningPort)];
    if (options.inspectorPort !== undefined) {
      const inspector = options.inspectorPort === "free" ? await freePort() : options.inspectorPort;
      args.push("--inspector-ip", "127.0.0.1", "--inspector-port", String(inspector));
    }
    args.push("--env-file", options.envFile ?? "/dev/null", "--show-interactive-dev-session=false");
    if (options.persistTo) args.push("--persist-to", options.persistTo);
    if (options.config) args.push("--config", options.config);
    for (const [name, value] of Object.entries(options.vars ?? {})) args.push("--var", `${name}:${value}`);
    args.push(...(options.extraArgs ?? []));
    this.record(`--- wrangler dev start #${this.starts} on port ${this.listeningPort} ---`);
    const child = startNode(args, {
      cwd: options.cwd ?? REPO_ROOT,
      group: true,
      env: wranglerEnv(options.env),
      onLine: (raw) => {
        const line = raw.replace(ANSI, "");
        this.record(line);
        options.onLine?.(line);
      },
    });
    this.process = child;
    running.add(this);
    void child.exited.then((exit) => this.record(`--- wrangler exited: ${exit.code ?? exit.signal} ---`));
  }

  /**
   * Runs `probe` against the base URL until it returns a truthy value (errors count as "not yet") and returns
   * that value. Throws a {@link WranglerDevError} as soon as wrangler exits, or a WaitTimeoutError.
   */
  async waitReady<T>(probe: (baseUrl: string) => T | Promise<T>, timeoutMs: number): Promise<Truthy<T>> {
    const child = this.process;
    if (!child) throw new WranglerDevError("wrangler dev was never started");
    const died = new AbortController();
    void child.exited.then((exit) =>
      died.abort(
        new WranglerDevError(`wrangler dev exited (${exit.code ?? exit.signal}) before it was ready`),
      ),
    );
    return waitFor(() => probe(this.baseUrl), timeoutMs, {
      intervalMs: 250,
      signal: died.signal,
      describe: `wrangler dev on ${this.baseUrl} to be ready`,
    });
  }

  /**
   * Stops the whole process group (wrangler, workerd, esbuild): SIGTERM by default, SIGKILL for a crash; waits
   * until every process of it is gone.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    const child = this.process;
    if (!child) return;
    try {
      await child.stop(options);
    } finally {
      running.delete(this);
    }
  }

  /** SIGKILLs the process group, as a crash would, and waits until it is gone. */
  kill(): Promise<void> {
    return this.stop({ signal: "SIGKILL" });
  }

  /** Stops (by default with SIGKILL, like a crash) and starts again: same options, same `--persist-to`. */
  async restart(options: StopOptions = { signal: "SIGKILL" }): Promise<void> {
    await this.stop(options);
    await this.start();
  }

  /** Synchronously SIGKILLs the process group: the last resort when this process exits. */
  killNow(): void {
    if (this.running) this.process?.killNow();
  }

  /** The last `count` lines of wrangler's output across restarts, with a line marking each start and exit. */
  tail(count = 60): string[] {
    return this.lines.slice(-count);
  }

  /** The last `chars` characters of {@link tail}'s lines. */
  log(chars = 6_000): string {
    return this.lines.join("\n").slice(-chars);
  }

  private record(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_LINES) this.lines.shift();
  }
}

/** Runs a one-shot wrangler command (e.g. `deploy --dry-run`) in `cwd` to its end, at most `timeoutMs`. */
export function runWrangler(args: readonly string[], cwd: string, timeoutMs: number): Promise<NodeRun> {
  return runNode([wranglerBin(), ...args], {
    cwd,
    timeoutMs,
    env: wranglerEnv({ CI: "true", WRANGLER_SEND_METRICS: "false" }),
  });
}
