/**
 * The bench's side of the metering (src/metering/): resets a Worker's counts before its load and reads them once
 * they have settled after the drain (alarms still writing the index, a last forward's commit).
 */
import { ADMIN_TOKEN } from "../harness/receiver.ts";
import { sleep } from "../harness/wait.ts";
import type { MeterCounts } from "../src/metering/counts.ts";

const PATH = "/_bench/metering";
/** How long the counts may keep changing after the drain before they are taken as they are. */
const SETTLE_TIMEOUT_MS = 15_000;

async function call(baseUrl: string, method: "GET" | "POST", path: string): Promise<unknown> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`${method} ${path} answered ${response.status}: is BENCH_METERING "on"?`);
  }
  return response.json();
}

/** Sets the Worker's counts to zero. */
export async function resetMetering(baseUrl: string): Promise<void> {
  await call(baseUrl, "POST", `${PATH}/reset`);
}

/** The Worker's counts, read once two reads a second apart agree (at most 15 s). */
export async function settledMetering(baseUrl: string): Promise<MeterCounts> {
  const started = Date.now();
  let last = JSON.stringify(await call(baseUrl, "GET", PATH));
  for (let round = 0; round < 100 && Date.now() - started < SETTLE_TIMEOUT_MS; round++) {
    await sleep(1_000);
    const next = JSON.stringify(await call(baseUrl, "GET", PATH));
    if (next === last) break;
    last = next;
  }
  return JSON.parse(last) as MeterCounts;
}
