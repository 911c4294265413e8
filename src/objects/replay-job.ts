/**
 * ReplayJob: one Durable Object per `POST /replay`, which works through the matching messages in bounded
 * batches from its own alarm (each batch: one index read and one call per message, far under a request's
 * subrequest and CPU limits), asking each message's object to send its events to the destination again. Its
 * progress is durable, so a replay of any size finishes across restarts; a failed batch is retried.
 */

import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config.ts";
import { selectShardsForReplay } from "../index-db/fan-out.ts";
import type { MessageFilter, MessagePosition } from "../index-db/filter.ts";
import { indexShards } from "../index-db/shards.ts";
import { inJurisdiction } from "../jurisdiction.ts";
import { log } from "../log.ts";
import { alarmRetryDelay } from "../message/alarm-retry.ts";

/** How long a finished replay's progress stays readable. */
const KEEP_DONE_MS = 7 * 86_400_000;
/** Messages asked per batch. */
const BATCH = 50;

/** What a replay has done so far. */
export interface ReplayProgress {
  destination: string;
  messages: number;
  events: number;
  done: boolean;
  failures: number;
}

interface Job extends ReplayProgress {
  filter: MessageFilter;
  after?: MessagePosition;
}

export class ReplayJob extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, inJurisdiction(env));
    // Applies LOG_LEVEL (src/log.ts) in this isolate before the object writes a line.
    readConfig(this.env);
  }

  /** Starts the replay (once: a second start of the same job changes nothing) and returns its progress. */
  async start(filter: MessageFilter, destination: string): Promise<ReplayProgress> {
    const existing = await this.ctx.storage.get<Job>("job");
    if (existing) return progressOf(existing);
    const job: Job = { filter, destination, messages: 0, events: 0, done: false, failures: 0 };
    await this.ctx.storage.put("job", job);
    await this.ctx.storage.setAlarm(Date.now());
    return progressOf(job);
  }

  /** The replay's progress, or null for a job never started. */
  async progress(): Promise<ReplayProgress | null> {
    const job = await this.ctx.storage.get<Job>("job");
    return job ? progressOf(job) : null;
  }

  /** One batch: the next messages, each asked to replay; the next alarm while messages remain. */
  override async alarm(): Promise<void> {
    const job = await this.ctx.storage.get<Job>("job");
    if (!job) return;
    if (job.done) {
      await this.ctx.storage.deleteAll();
      return;
    }
    try {
      const batch = await selectShardsForReplay(indexShards(this.env), job.filter, job.after, BATCH);
      const results = await Promise.all(
        batch.ids.map((id) => this.env.MESSAGE_TRACKER.getByName(id).replay(job.destination)),
      );
      job.messages += results.filter((result) => result.found).length;
      job.events += results.reduce((sum, result) => sum + result.scheduled, 0);
      if (batch.next) job.after = batch.next;
      job.done = batch.next === undefined;
      job.failures = 0;
      await this.ctx.storage.put("job", job);
      if (!job.done) await this.ctx.storage.setAlarm(Date.now());
      else {
        log("info", "replay_done", {
          destination: job.destination,
          messages: job.messages,
          events: job.events,
        });
        // Its progress stays readable a week, then the job is deleted.
        await this.ctx.storage.setAlarm(Date.now() + KEEP_DONE_MS);
      }
    } catch (error) {
      // A message replayed twice sends its events twice, same ids: at least once, as every retry.
      job.failures += 1;
      await this.ctx.storage.put("job", job);
      log("error", "replay_batch_failed", { failures: job.failures, error: String(error).slice(0, 200) });
      await this.ctx.storage.setAlarm(Date.now() + alarmRetryDelay(job.failures));
    }
  }
}

function progressOf({ destination, messages, events, done, failures }: Job): ReplayProgress {
  return { destination, messages, events, done, failures };
}
