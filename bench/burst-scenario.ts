/**
 * `npm run bench -- --scenario burst`: a destination limited to `maxPerSecond` (5) offered ten times that for a
 * few seconds (one callback of a new message each, at a fixed rate), beside an unlimited destination; and the
 * same burst to the unlimited destination alone, for its lag without the limited one. Each run is a fresh
 * `wrangler dev` with the bench's metering, forwarding to two paths of one verifying downstream; it waits until
 * both destinations have every acknowledged event. Writes bench/results/burst.json (see bench/lib/burst.ts).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import * as v from "valibot";
import { type Downstream, startDownstream } from "../harness/downstream.ts";
import {
  CALLBACK_CREDENTIALS,
  DOWNSTREAM_SECRET,
  type Receiver,
  startReceiver,
} from "../harness/receiver.ts";
import { REPO_ROOT } from "../harness/repo.ts";
import { sleep } from "../harness/wait.ts";
import type { BenchOptions } from "./lib/args.ts";
import { type BurstObservation, burstFigures } from "./lib/burst.ts";
import { MixPlanner } from "./lib/mix.ts";
import { machine } from "./main.ts";
import { resetMetering, settledMetering } from "./metering-client.ts";
import { BENCH_DEFINE } from "./runs.ts";

const MAX_PER_SECOND = 5;
const OFFERED_PER_SECOND = 10 * MAX_PER_SECOND;
/** Seconds of offered load: the limited destination then needs about ten times as long to drain. */
const BURST_SECONDS = 5;
const ONE_EVENT_PER_MESSAGE = { group: 0, groupMin: 1, groupMax: 1, failure: 0, retry: 0 };
const AckSchema = v.object({ accepted: v.number() });

function note(text: string): void {
  console.error(`[bench burst] ${text}`);
}

/** One callback sent: the key of its event (`messageId type`) and when its 2xx came, if it did. */
interface Sent {
  key: string;
  ackAt: number | undefined;
}

/** Sends `bodies` at `perSecond`, each on its own schedule (the burst does not wait for answers). */
async function offer(
  receiver: Receiver,
  bodies: readonly { body: string; key: string }[],
  perSecond: number,
) {
  const { username, password } = CALLBACK_CREDENTIALS;
  const authorization = `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
  const started = Date.now();
  const failures: string[] = [];
  const sent = await Promise.all(
    bodies.map(async ({ body, key }, index): Promise<Sent> => {
      await sleep(Math.max(0, started + (index * 1000) / perSecond - Date.now()));
      try {
        const response = await fetch(`${receiver.baseUrl}/callbacks/messaging`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        const ok = response.status === 200 && v.safeParse(AckSchema, await response.json()).success;
        if (!ok) failures.push(`HTTP ${response.status}`);
        return { key, ackAt: ok ? Date.now() : undefined };
      } catch (error) {
        failures.push(String(error).slice(0, 80));
        return { key, ackAt: undefined };
      }
    }),
  );
  if (failures.length > 0) note(`${failures.length} callbacks not acknowledged, e.g. ${failures[0]}`);
  return sent;
}

/** The first arrival of each event at `path`, by `messageId type`. */
function arrivals(downstream: Downstream, path: string): Map<string, number> {
  const first = new Map<string, number>();
  for (const request of downstream.requests()) {
    const data = request.event?.data;
    if (request.path !== path || !data || first.has(`${data.messageId} ${data.bandwidthType}`)) continue;
    first.set(`${data.messageId} ${data.bandwidthType}`, request.receivedAt);
  }
  return first;
}

/** One run: a fresh receiver with the unlimited destination, and the limited one when `limited`. */
async function runOnce(limited: boolean, drainTimeoutS: number): Promise<BurstObservation> {
  const root = await mkdtemp(join(tmpdir(), "bench-burst-"));
  const downstream = await startDownstream(DOWNSTREAM_SECRET);
  const base = `http://127.0.0.1:${downstream.port}`;
  const destinations = [
    ...(limited ? [{ name: "limited", url: `${base}/limited`, maxPerSecond: MAX_PER_SECOND }] : []),
    { name: "unlimited", url: `${base}/unlimited` },
  ];
  let receiver: Receiver | undefined;
  try {
    note(`starting wrangler dev (${limited ? "limited and unlimited" : "unlimited alone"})`);
    receiver = await startReceiver({
      downstreamUrl: downstream.url,
      persistTo: join(root, "state"),
      vars: {
        BENCH_METERING: "on",
        DESTINATIONS: JSON.stringify(destinations),
        DESTINATION_SECRET_LIMITED: DOWNSTREAM_SECRET,
        DESTINATION_SECRET_UNLIMITED: DOWNSTREAM_SECRET,
      },
      define: BENCH_DEFINE,
    });
    const planner = new MixPlanner(ONE_EVENT_PER_MESSAGE, 24);
    const bodies = Array.from({ length: OFFERED_PER_SECOND * BURST_SECONDS }, () => {
      const request = planner.next();
      const [messageId = "", type = ""] = (request.events[0] ?? "").split(" ");
      return { body: request.body, key: `${messageId} ${type}` };
    });
    await resetMetering(receiver.baseUrl);
    note(`offering ${bodies.length} callbacks at ${OFFERED_PER_SECOND}/s`);
    const sent = await offer(receiver, bodies, OFFERED_PER_SECOND);
    const acked = sent.filter((item) => item.ackAt !== undefined);
    const paths = limited ? ["/limited", "/unlimited"] : ["/unlimited"];
    const deadline = Date.now() + drainTimeoutS * 1000;
    const done = () => paths.every((path) => acked.every((item) => arrivals(downstream, path).has(item.key)));
    while (!done() && Date.now() < deadline) await sleep(1_000);
    const counts = await settledMetering(receiver.baseUrl);
    const atLimited = arrivals(downstream, "/limited");
    const atUnlimited = arrivals(downstream, "/unlimited");
    return {
      acknowledged: acked.length,
      limitedArrivals: [...atLimited.values()],
      limitedReceived: acked.filter((item) => atLimited.has(item.key)).length,
      unlimitedReceived: acked.filter((item) => atUnlimited.has(item.key)).length,
      unlimitedLagsMs: acked.flatMap((item) => {
        const at = atUnlimited.get(item.key);
        return at === undefined || item.ackAt === undefined ? [] : [at - item.ackAt];
      }),
      limiterRequests: counts.objectRequests.DELIVERY_RATE_LIMITER ?? 0,
      objectRowsWritten: counts.sqlRowsWritten + counts.kvRowsWritten + counts.alarmWrites,
    };
  } finally {
    await receiver?.stop().catch((error: unknown) => note(`stopping wrangler dev failed: ${String(error)}`));
    await downstream.close();
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs the burst scenario (the run without the limited destination first) and writes its figures. */
export async function main(options: BenchOptions): Promise<number> {
  process.env.X_LOCAL_OBSERVABILITY = process.env.X_LOCAL_OBSERVABILITY ?? "false";
  try {
    const alone = await runOnce(false, options.drainTimeoutS);
    const beside = await runOnce(true, options.drainTimeoutS);
    const events = OFFERED_PER_SECOND * BURST_SECONDS;
    const figures = burstFigures(
      { maxPerSecond: MAX_PER_SECOND, offeredPerSecond: OFFERED_PER_SECOND, events },
      beside,
      alone,
    );
    const out = resolve(REPO_ROOT, options.out);
    await mkdir(dirname(out), { recursive: true });
    const observed = (run: BurstObservation) => ({
      acknowledged: run.acknowledged,
      limitedDeliveries: run.limitedArrivals.length,
      limitedReceived: run.limitedReceived,
      unlimitedReceived: run.unlimitedReceived,
      limiterRequests: run.limiterRequests,
      objectRowsWritten: run.objectRowsWritten,
    });
    const result = {
      machine: machine(),
      figures,
      observed: { alone: observed(alone), beside: observed(beside) },
    };
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result.observed, null, 2));
    console.log(JSON.stringify(figures, null, 2));
    note(`wrote ${options.out}`);
    return Object.values(figures.targetsMet).every(Boolean) ? 0 : 1;
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    return 1;
  }
}
