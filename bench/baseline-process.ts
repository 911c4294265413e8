/**
 * The baseline Worker (bench/baseline/) as a `wrangler dev` process group, started by the same `WranglerDev`
 * (harness/wrangler.ts) as `npm run dev` and the receiver, with bench/baseline's own config.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../harness/repo.ts";
import { WranglerDev } from "../harness/wrangler.ts";

/** A running baseline Worker. */
export interface BaselineProcess {
  baseUrl: string;
  /** Stops the process group (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
  stop(): Promise<void>;
}

/** Whether the baseline answers 200. */
async function answers(baseUrl: string): Promise<boolean> {
  const response = await fetch(baseUrl, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status === 200;
}

/** Starts `wrangler dev` for bench/baseline/ on a free loopback port and waits until it answers. */
export async function startBaseline(persistTo: string): Promise<BaselineProcess> {
  const wrangler = new WranglerDev({
    port: "free",
    inspectorPort: "free",
    persistTo,
    config: join(REPO_ROOT, "bench/baseline/wrangler.toml"),
  });
  await wrangler.start();
  const stop = () => wrangler.stop();
  try {
    await wrangler.waitReady(answers, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`the baseline did not start: ${String(error)}\n${wrangler.tail().join("\n")}`);
  }
  return { baseUrl: wrangler.baseUrl, stop };
}
