/**
 * The load generator, run by bench/run.ts as a separate Node process: drives one Worker with autocannon for a
 * fixed duration at a fixed concurrency with the realistic mix (bench/lib/mix.ts), and writes autocannon's
 * figures and every answered request's acknowledgement time to a JSON file.
 *
 * Usage: node bench/load.ts '<LoadJob as JSON>'
 */
import { writeFile } from "node:fs/promises";
import autocannon from "autocannon";
import type { AckRecord } from "./lib/lag.ts";
import { type MixCounts, MixPlanner, type MixShares, type PlannedRequest } from "./lib/mix.ts";
import type { LoadFigures } from "./lib/report.ts";

/** What run.ts asks of one load run. */
export interface LoadJob {
  /** The callback URL, e.g. http://127.0.0.1:41234/callbacks/messaging. */
  url: string;
  durationS: number;
  concurrency: number;
  /** Requests per second across all connections (autocannon's `overallRate`); absent: as fast as answered. */
  rate?: number;
  seed: number;
  mix: MixShares;
  /** The `Authorization` header value. */
  authorization: string;
  /** Where to write the {@link LoadOutput}. */
  out: string;
}

/** What one load run writes. */
export interface LoadOutput {
  figures: LoadFigures;
  acks: AckRecord[];
  planned: MixCounts;
  /** Sums of the `accepted` and `duplicates` fields of the 2xx answers. */
  accepted: number;
  duplicates: number;
}

/** Bandwidth's own response timeout: an answer slower than this is a failure. */
const REQUEST_TIMEOUT_S = 10;

/**
 * The wall clock, read when the answer arrives: the downstream (another process) stamps arrivals with it too.
 * `performance.timeOrigin + now()` would drift from it when the system clock is adjusted during a run.
 */
function now(): number {
  return Date.now();
}

async function drive(job: LoadJob): Promise<LoadOutput> {
  const planner = new MixPlanner(job.mix, job.seed);
  const acks: AckRecord[] = [];
  let accepted = 0;
  let duplicates = 0;
  const result = await autocannon({
    url: job.url,
    connections: job.concurrency,
    duration: job.durationS,
    timeout: REQUEST_TIMEOUT_S,
    ...(job.rate ? { overallRate: job.rate } : {}),
    headers: {
      authorization: job.authorization,
      "content-type": "application/json; charset=utf-8",
      "user-agent": "BandwidthAPI/v2",
    },
    requests: [
      {
        method: "POST",
        setupRequest: (request, context) => {
          const planned = planner.next();
          (context as { planned?: PlannedRequest }).planned = planned;
          return { ...request, method: "POST", body: planned.body };
        },
        onResponse: (status, body, context) => {
          const ackAt = now();
          const planned = (context as { planned?: PlannedRequest }).planned;
          if (!planned) return;
          const ok = status >= 200 && status < 300;
          planner.answered(planned.id, ok);
          acks.push({ events: planned.events, ackAt, ok, retry: planned.retryOf !== undefined });
          if (!ok) return;
          try {
            const answer = JSON.parse(body) as { accepted?: unknown; duplicates?: unknown };
            if (typeof answer.accepted === "number") accepted += answer.accepted;
            if (typeof answer.duplicates === "number") duplicates += answer.duplicates;
          } catch {
            // a 2xx without a JSON body is counted by status only
          }
        },
      },
    ],
  });
  const socketErrors = result.errors - result.timeouts;
  return {
    figures: {
      requestsPerSec: result.requests.average,
      p50Ms: result.latency.p50,
      p90Ms: result.latency.p90,
      p99Ms: result.latency.p99,
      errors: result.non2xx + result.errors,
      non2xx: result.non2xx,
      socketErrors,
      timeouts: result.timeouts,
      completed: result.requests.total,
      durationS: result.duration,
    },
    acks,
    planned: planner.planned(),
    accepted,
    duplicates,
  };
}

const job = JSON.parse(process.argv[2] ?? "{}") as LoadJob;
const output = await drive(job);
await writeFile(job.out, JSON.stringify(output));
