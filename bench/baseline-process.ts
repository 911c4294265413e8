/**
 * The bench's own Workers (bench/baseline/, the hello-world; bench/floor/, the least work this job can do) as
 * `wrangler dev` process groups, started by the same `WranglerDev` (harness/wrangler.ts) as `npm run dev` and
 * the receiver, each with its own config.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../harness/repo.ts";
import { WranglerDev } from "../harness/wrangler.ts";

/** A running bench Worker. */
export interface BenchWorkerProcess {
  baseUrl: string;
  /** Its process group (wrangler and its workerd), for the CPU figures. */
  pgid: number;
  /** Stops the process group (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
  stop(): Promise<void>;
}

/** Whether the Worker answers `GET /` with 200. */
async function answers(baseUrl: string): Promise<boolean> {
  const response = await fetch(baseUrl, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.status === 200;
}

/** Starts `wrangler dev` with `config` (relative to the repository) on a free loopback port; waits until it answers. */
export async function startBenchWorker(
  config: string,
  persistTo: string,
  vars: Readonly<Record<string, string>> = {},
): Promise<BenchWorkerProcess> {
  const wrangler = new WranglerDev({
    port: "free",
    inspectorPort: "free",
    persistTo,
    config: join(REPO_ROOT, config),
    vars,
  });
  await wrangler.start();
  const stop = () => wrangler.stop();
  try {
    await wrangler.waitReady(answers, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${config} did not start: ${String(error)}\n${wrangler.tail().join("\n")}`);
  }
  return { baseUrl: wrangler.baseUrl, pgid: wrangler.pgid, stop };
}

/** Starts the hello-world baseline (bench/baseline/). */
export function startBaseline(persistTo: string): Promise<BenchWorkerProcess> {
  return startBenchWorker("bench/baseline/wrangler.toml", persistTo);
}
