/**
 * Sends a planned traffic to the receiver at a fixed rate (open loop: the schedule does not wait for answers,
 * up to a bound on requests in flight), retrying failed callbacks the way Bandwidth does when asked to.
 */
import * as v from "valibot";
import type { Receiver } from "../../harness/receiver.ts";
import { sleep } from "../../harness/wait.ts";
import { AckSchema } from "../e2e/harness/answers.ts";
import { postCallback } from "../e2e/harness/client.ts";
import type { PlannedCallback } from "./traffic-plan.ts";

/** One HTTP attempt of a callback. */
export interface CallbackAttempt {
  startedAt: number;
  /** The HTTP status, or 0 when the request failed without an answer (refused, reset, timed out). */
  status: number;
  latencyMs: number;
}

/** What became of one planned callback. */
export interface CallbackRecord {
  planned: PlannedCallback;
  attempts: CallbackAttempt[];
  /** `Date.now()` when the 200 arrived; undefined when it never did. */
  ackedAt?: number;
  /** The 200's body. */
  ack?: v.InferOutput<typeof AckSchema>;
}

/** How to send. */
export interface TrafficOptions {
  receiver: Receiver;
  plan: readonly PlannedCallback[];
  ratePerSecond: number;
  /** Bound on callbacks in flight; the schedule waits when it is reached (default 256). */
  maxInFlight?: number;
  /** Resend a callback that was not answered 200 after `delayMs`, until `giveUpAfterMs` after its first try. */
  retry?: { delayMs: number; giveUpAfterMs: number };
}

/** The outcome of {@link sendTraffic}. */
export interface TrafficRun {
  records: CallbackRecord[];
  startedAt: number;
  endedAt: number;
  /** How often the schedule had to wait for a free slot (the receiver could not keep up). */
  backpressureWaits: number;
}

async function attemptOnce(receiver: Receiver, record: CallbackRecord): Promise<boolean> {
  const startedAt = Date.now();
  try {
    const response = await postCallback(receiver, [record.planned.event]);
    record.attempts.push({ startedAt, status: response.status, latencyMs: response.elapsedMs });
    if (response.status !== 200) return false;
    record.ack = v.parse(AckSchema, response.body);
    record.ackedAt = Date.now();
    return true;
  } catch {
    record.attempts.push({ startedAt, status: 0, latencyMs: Date.now() - startedAt });
    return false;
  }
}

async function deliverCallback(options: TrafficOptions, record: CallbackRecord): Promise<void> {
  const firstTry = Date.now();
  const maxAttempts = options.retry ? Math.ceil(options.retry.giveUpAfterMs / options.retry.delayMs) + 1 : 1;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (await attemptOnce(options.receiver, record)) return;
    if (!options.retry || Date.now() - firstTry >= options.retry.giveUpAfterMs) return;
    await sleep(options.retry.delayMs);
  }
}

/** Traffic being sent: its records fill in as answers arrive; `done` resolves once every callback ended. */
export interface RunningTraffic {
  records: readonly CallbackRecord[];
  done: Promise<TrafficRun>;
}

/** Starts sending every callback of the plan, `ratePerSecond` of them per second. */
export function startTraffic(options: TrafficOptions): RunningTraffic {
  const records: CallbackRecord[] = options.plan.map((planned) => ({ planned, attempts: [] }));
  return { records, done: schedule(options, records) };
}

/** Sends every callback of the plan, `ratePerSecond` of them per second, and waits for all of them to end. */
export function sendTraffic(options: TrafficOptions): Promise<TrafficRun> {
  return startTraffic(options).done;
}

async function schedule(options: TrafficOptions, records: CallbackRecord[]): Promise<TrafficRun> {
  const maxInFlight = options.maxInFlight ?? 256;
  const intervalMs = 1000 / options.ratePerSecond;
  const inFlight = new Set<Promise<void>>();
  let backpressureWaits = 0;
  const startedAt = Date.now();
  for (const [index, record] of records.entries()) {
    const due = startedAt + index * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= maxInFlight) {
      backpressureWaits++;
      await Promise.race(inFlight);
    }
    const sending = deliverCallback(options, record).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }
  await Promise.all(inFlight);
  return { records, startedAt, endedAt: Date.now(), backpressureWaits };
}
