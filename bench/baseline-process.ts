/**
 * The baseline Worker (bench/baseline/) as a `wrangler dev` process group, started by the same `WranglerDev`
 * as `npm run dev` (scripts/lib/wrangler-dev.ts), with the receiver's flags plus bench/baseline's own config.
 */
import { join } from "node:path";
import { WranglerDev } from "../scripts/lib/wrangler-dev.ts";
import { freePort } from "../test/e2e/harness/ports.ts";
import { REPO_ROOT } from "../test/e2e/harness/receiver.ts";
import { waitFor } from "../test/e2e/harness/wait.ts";

/** A running baseline Worker. */
export interface BaselineProcess {
  baseUrl: string;
  /** Stops the process group (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
  stop(): Promise<void>;
}

/** Starts `wrangler dev` for bench/baseline/ on a free loopback port and waits until it answers. */
export async function startBaseline(persistTo: string): Promise<BaselineProcess> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const extraArgs = ["--config", join(REPO_ROOT, "bench/baseline/wrangler.toml")];
  extraArgs.push("--inspector-ip", "127.0.0.1", "--inspector-port", String(inspectorPort));
  const wrangler = new WranglerDev({
    port,
    envFile: "/dev/null",
    persistTo,
    vars: {},
    extraArgs,
    onLine: () => {},
  });
  // Last resort if the bench exits without stopping it: no wrangler outlives the bench.
  const killOnExit = () => wrangler.killNow();
  process.once("exit", killOnExit);
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await wrangler.stop();
    process.off("exit", killOnExit);
  };
  try {
    await waitFor(
      async () => {
        if (!wrangler.running) throw new Error("wrangler dev exited");
        const response = await fetch(baseUrl, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.status === 200;
      },
      60_000,
      { intervalMs: 250 },
    );
  } catch (error) {
    await stop();
    throw new Error(`the baseline did not start: ${String(error)}\n${wrangler.tail().join("\n")}`);
  }
  return { baseUrl, stop };
}
