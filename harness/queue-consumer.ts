/**
 * The example queue consumer (examples/queue-consumer/) as a real process, for the end-to-end tests: its own
 * `wrangler dev` on a free port of 127.0.0.1, registered in the dev registry it shares with the receiver whose
 * queue it consumes, and a client for its demo endpoint (`GET /messages/:subject`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import type { StopOptions } from "./processes.ts";
import { REPO_ROOT } from "./repo.ts";
import { WranglerDev } from "./wrangler.ts";

/** The consumer's Worker name (examples/queue-consumer/wrangler.toml), as the dev registry lists it. */
export const QUEUE_CONSUMER_NAME = "bandwidth-events-consumer";

/** One event the consumer processed. */
export const ProcessedEventSchema = v.strictObject({
  position: v.number(),
  id: v.string(),
  sequence: v.nullable(v.number()),
  type: v.string(),
  late: v.boolean(),
  processedAt: v.string(),
});

/** The body of the consumer's `GET /messages/:subject`. */
export const ConsumerViewSchema = v.strictObject({
  subject: v.string(),
  processed: v.array(ProcessedEventSchema),
  held: v.array(v.strictObject({ id: v.string(), sequence: v.number(), heldUntil: v.string() })),
});

export type ProcessedEvent = v.InferOutput<typeof ProcessedEventSchema>;
export type ConsumerView = v.InferOutput<typeof ConsumerViewSchema>;

/** How to start the consumer. */
export interface QueueConsumerOptions {
  /** Its `--persist-to` directory (its Durable Objects). */
  persistTo: string;
  /** The dev registry directory (`WRANGLER_REGISTRY_PATH`) the receiver uses too. */
  devRegistry: string;
  /** The checkout (or a snapshot of it) holding examples/queue-consumer/ (default: the checkout). */
  sourceDir?: string;
  /** How long to wait until it answers and is registered (default 60 s). */
  startTimeoutMs?: number;
}

/** The example consumer under `wrangler dev`; see {@link startQueueConsumer}. */
export class QueueConsumer {
  readonly options: QueueConsumerOptions;
  private readonly wrangler: WranglerDev;

  /** @param options how to start it. */
  constructor(options: QueueConsumerOptions) {
    this.options = options;
    const sourceDir = options.sourceDir ?? REPO_ROOT;
    this.wrangler = new WranglerDev({
      port: "free",
      inspectorPort: "free",
      persistTo: options.persistTo,
      config: join(sourceDir, "examples/queue-consumer/wrangler.toml"),
      cwd: sourceDir,
      env: { CI: "true", WRANGLER_SEND_METRICS: "false", WRANGLER_REGISTRY_PATH: options.devRegistry },
    });
  }

  /** The base URL, e.g. `http://127.0.0.1:41235`. */
  get baseUrl(): string {
    return this.wrangler.baseUrl;
  }

  /** The last `chars` characters of wrangler's output. */
  logTail(chars = 6_000): string {
    return this.wrangler.log(chars);
  }

  /**
   * Starts `wrangler dev` and waits until the Worker answers and is in the dev registry: a message the receiver
   * sends before that would be dropped by its local queue.
   */
  async start(): Promise<void> {
    await this.wrangler.start();
    const registered = join(this.options.devRegistry, QUEUE_CONSUMER_NAME);
    try {
      await this.wrangler.waitReady(async (baseUrl) => {
        const response = await fetch(`${baseUrl}/`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        return response.status === 404 && existsSync(registered);
      }, this.options.startTimeoutMs ?? 60_000);
    } catch (error) {
      await this.wrangler.kill();
      throw new Error(`${String(error)}\n--- consumer wrangler output (tail) ---\n${this.logTail()}`);
    }
  }

  /** What the consumer processed (and holds) for one message, from its demo endpoint. */
  async processed(subject: string): Promise<ConsumerView> {
    const response = await fetch(`${this.baseUrl}/messages/${encodeURIComponent(subject)}`, {
      signal: AbortSignal.timeout(5_000),
    });
    if (response.status !== 200) throw new Error(`GET /messages/${subject} answered ${response.status}`);
    return v.parse(ConsumerViewSchema, await response.json());
  }

  /** Stops its process group and waits until every process of it is gone. */
  stop(options: StopOptions = {}): Promise<void> {
    return this.wrangler.stop(options);
  }
}

/** Starts the example consumer (see {@link QueueConsumer.start}). */
export async function startQueueConsumer(options: QueueConsumerOptions): Promise<QueueConsumer> {
  const consumer = new QueueConsumer(options);
  await consumer.start();
  return consumer;
}
