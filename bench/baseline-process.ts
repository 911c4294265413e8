/**
 * The baseline Worker (bench/baseline/) as a `wrangler dev` process, started with the same flags as the
 * receiver in test/e2e/harness/receiver.ts (which always runs the repository's own wrangler.toml), in its own
 * process group so that stopping it also stops workerd.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort } from "../test/e2e/harness/ports.ts";
import { REPO_ROOT } from "../test/e2e/harness/receiver.ts";
import { sleep, waitFor } from "../test/e2e/harness/wait.ts";

/** A running baseline Worker. */
export interface BaselineProcess {
  baseUrl: string;
  /** Stops the process group (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
  stop(): Promise<void>;
}

const GRACE_MS = 5_000;

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(child: ChildProcess, pgid: number): Promise<void> {
  signalGroup(pgid, "SIGTERM");
  const gone = () => !signalGroup(pgid, 0);
  await waitFor(gone, GRACE_MS, { intervalMs: 50 }).catch(() => signalGroup(pgid, "SIGKILL"));
  await waitFor(gone, GRACE_MS, { intervalMs: 50 });
  if (child.exitCode === null && child.signalCode === null) {
    await Promise.race([new Promise((resolve) => child.once("exit", resolve)), sleep(GRACE_MS)]);
  }
}

/** Starts `wrangler dev` for bench/baseline/ on a free loopback port and waits until it answers. */
export async function startBaseline(persistTo: string): Promise<BaselineProcess> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = [
    realpathSync(join(REPO_ROOT, "node_modules/.bin/wrangler")),
    "dev",
    "--config",
    join(REPO_ROOT, "bench/baseline/wrangler.toml"),
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-ip",
    "127.0.0.1",
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    persistTo,
    "--env-file",
    "/dev/null",
    "--show-interactive-dev-session=false",
  ];
  let output = "";
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
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
  const pgid = child.pid;
  if (pgid === undefined) throw new Error("could not spawn wrangler dev for the baseline");
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // Last resort if the bench exits without stopping it: no wrangler outlives the bench.
  const killOnExit = () => signalGroup(pgid, "SIGKILL");
  process.once("exit", killOnExit);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopGroup(child, pgid);
    process.off("exit", killOnExit);
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error("wrangler dev exited");
        const response = await fetch(baseUrl, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.status === 200;
      },
      60_000,
      { intervalMs: 250 },
    );
  } catch (error) {
    await stop();
    throw new Error(`the baseline did not start: ${String(error)}\n${output}`);
  }
  return { baseUrl, stop };
}
