/**
 * The receiver under test as a real process: `wrangler dev` on 127.0.0.1, in its own process group, with a
 * persistence directory that survives restarts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.ts";
import { sleep } from "./wait.ts";

/** The repository root (where wrangler.toml is). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Basic credentials the receiver accepts from "Bandwidth" in the end-to-end tests. */
export const CALLBACK_CREDENTIALS = { username: "bandwidth-e2e", password: "e2e-callback-password-1" };
/** The operator's bearer token in the end-to-end tests (at least 16 characters). */
export const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";
/** The Standard Webhooks secret the receiver signs with and the downstream verifies. */
export const DOWNSTREAM_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/** Fast forwarding tuning, so that retries happen within seconds. */
export const FAST_TUNING: Readonly<Record<string, string>> = {
  FORWARD_BACKOFF_BASE_MS: "200",
  FORWARD_BACKOFF_MAX_MS: "2000",
  FORWARD_TIMEOUT_MS: "2000",
};

/** How to start a receiver. */
export interface ReceiverOptions {
  /** DOWNSTREAM_URL. */
  downstreamUrl: string;
  /** The `--persist-to` directory; reuse it to restart with the same state. */
  persistTo: string;
  /** Extra or overriding `--var`s. */
  vars?: Record<string, string>;
  /**
   * The directory wrangler dev builds from and runs in (default: the checkout). A snapshot (sources.ts) keeps
   * edits made to the working tree during a test from reloading the receiver.
   */
  sourceDir?: string;
  /** How long to wait for `/healthz` to report a complete configuration (default 60 s). */
  startTimeoutMs?: number;
}

/** How to stop a receiver. */
export interface StopOptions {
  /** `SIGTERM` (default) asks politely first; `SIGKILL` kills at once, like a crash. */
  signal?: "SIGTERM" | "SIGKILL";
}

const LOG_LIMIT = 256 * 1024;
const GRACE_MS = 5_000;
const live = new Set<Receiver>();

// Last resort when the test process exits without afterAll (a crash): no wrangler outlives the tests.
process.once("exit", () => {
  for (const receiver of live) receiver.killNow();
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < 1000 && Date.now() < deadline; round++) {
    if (!groupAlive(pgid)) return true;
    await sleep(50);
  }
  return !groupAlive(pgid);
}

/** A `wrangler dev` process serving the Worker; see {@link startReceiver}. */
export class Receiver {
  private child: ChildProcess | undefined;
  private pgid = 0;
  private output = "";
  private listeningPort = 0;
  private starts = 0;

  /** @param options how to start it; kept for restarts. */
  constructor(readonly options: ReceiverOptions) {}

  /** The base URL, e.g. `http://127.0.0.1:41234` (changes on restart). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
  }

  /** The last `chars` characters of wrangler's stdout and stderr, across restarts. */
  logTail(chars = 6_000): string {
    return this.output.slice(-chars);
  }

  /** Spawns `wrangler dev` and waits until `/healthz` answers 200 with `configured: true`. */
  async start(): Promise<void> {
    if (this.child) throw new Error("receiver already running");
    this.starts++;
    this.listeningPort = await freePort();
    const inspectorPort = await freePort();
    const vars = {
      CALLBACK_USERNAME: CALLBACK_CREDENTIALS.username,
      CALLBACK_PASSWORD: CALLBACK_CREDENTIALS.password,
      ADMIN_TOKEN,
      DOWNSTREAM_SECRET,
      DOWNSTREAM_URL: this.options.downstreamUrl,
      ALLOW_LOOPBACK_DOWNSTREAM: "true",
      ...FAST_TUNING,
      ...this.options.vars,
    };
    const args = [
      realpathSync(join(REPO_ROOT, "node_modules/.bin/wrangler")),
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(this.listeningPort),
      "--inspector-ip",
      "127.0.0.1",
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      this.options.persistTo,
      "--env-file",
      "/dev/null",
      "--show-interactive-dev-session=false",
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ];
    this.append(`\n--- start #${this.starts} on port ${this.listeningPort} ---\n`);
    // process.execPath is the Node that runs the tests (node_modules/.bin/node, Node 24), not the system one.
    const child = spawn(process.execPath, args, {
      cwd: this.options.sourceDir ?? REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        CI: "true",
        NO_COLOR: "1",
        FORCE_COLOR: "0",
        WRANGLER_SEND_METRICS: "false",
        PATH: [dirname(process.execPath), join(REPO_ROOT, "node_modules/.bin"), process.env.PATH ?? ""].join(
          ":",
        ),
      },
    });
    if (child.pid === undefined) throw new Error("could not spawn wrangler dev");
    this.child = child;
    this.pgid = child.pid;
    live.add(this);
    child.stdout?.on("data", (chunk: Buffer) => this.append(chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => this.append(chunk.toString("utf8")));
    child.once("exit", (code, signal) => this.append(`\n--- wrangler exited: ${code ?? signal} ---\n`));
    try {
      await this.waitHealthy(this.options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await this.stop({ signal: "SIGKILL" });
      throw new Error(`${String(error)}\n--- wrangler output (tail) ---\n${this.logTail()}`);
    }
  }

  /** Stops the whole process group (wrangler and workerd) and waits until every process of it is gone. */
  async stop(options: StopOptions = {}): Promise<void> {
    const child = this.child;
    if (!child) return;
    const pgid = this.pgid;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    if (options.signal !== "SIGKILL") {
      signalGroup(pgid, "SIGTERM");
      if (!(await waitGroupGone(pgid, GRACE_MS))) signalGroup(pgid, "SIGKILL");
    } else {
      signalGroup(pgid, "SIGKILL");
    }
    const gone = await waitGroupGone(pgid, GRACE_MS);
    await Promise.race([exited, sleep(GRACE_MS)]);
    this.child = undefined;
    live.delete(this);
    if (!gone) throw new Error(`wrangler dev process group ${pgid} did not exit`);
  }

  /** Stops (by default with SIGKILL, like a crash) and starts again with the same `--persist-to`. */
  async restart(options: StopOptions = { signal: "SIGKILL" }): Promise<void> {
    await this.stop(options);
    await this.start();
  }

  /** Synchronously SIGKILLs the process group; for the exit hook only. */
  killNow(): void {
    if (this.child) signalGroup(this.pgid, "SIGKILL");
  }

  private append(text: string): void {
    this.output = (this.output + text).slice(-LOG_LIMIT);
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer yet";
    for (let round = 0; round < 1000 && Date.now() < deadline; round++) {
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        throw new Error("wrangler dev exited before it was healthy");
      }
      try {
        const response = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
        const body: unknown = await response.json().catch(() => undefined);
        if (
          response.status === 200 &&
          typeof body === "object" &&
          body !== null &&
          "configured" in body &&
          body.configured === true
        ) {
          return;
        }
        last = `HTTP ${response.status} ${JSON.stringify(body)}`;
      } catch (error) {
        last = String(error);
      }
      await sleep(250);
    }
    throw new Error(`wrangler dev was not healthy within ${timeoutMs} ms (last: ${last})`);
  }
}

/** Starts a receiver (see {@link Receiver.start}). */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const receiver = new Receiver(options);
  await receiver.start();
  return receiver;
}
