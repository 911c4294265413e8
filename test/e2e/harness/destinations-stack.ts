/**
 * The end-to-end stack of several destinations: HTTP downstreams with secrets of their own, and a queue
 * destination consumed by the example consumer (examples/queue-consumer/) in a second `wrangler dev`. Both
 * Workers build from one snapshot whose wrangler.toml has the producer binding, and share a dev registry of
 * their own (the receiver's local queue finds its consumer there), with temporary persistence directories.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type Downstream, startDownstream } from "../../../harness/downstream.ts";
import { QueueConsumer } from "../../../harness/queue-consumer.ts";
import { Receiver } from "../../../harness/receiver.ts";
import { EVENTS_QUEUE_PRODUCER, snapshotSources } from "./sources.ts";

/** A `filter` of DESTINATIONS, as JSON. */
export type DestinationFilter = Record<string, unknown>;

/** What the stack is made of: HTTP destinations, each with its own downstream, and one queue destination. */
export interface DestinationsStackOptions {
  http: ReadonlyArray<{ name: string; secret: string; filter?: DestinationFilter }>;
  /** A queue destination on the producer binding EVENTS_QUEUE, consumed by the example consumer. */
  queue: { name: string; filter?: DestinationFilter };
}

/** The running stack. */
export interface DestinationsStack {
  receiver: Receiver;
  consumer: QueueConsumer;
  /** Each HTTP destination's downstream, by destination name; each verifies with its destination's secret. */
  downstreams: ReadonlyMap<string, Downstream>;
  /** Stops both Workers and the downstreams and removes the temporary directory. */
  stop(): Promise<void>;
}

/** `DESTINATION_SECRET_<NAME>`: the name upper-cased, `-` turned into `_`. */
export function secretVariable(name: string): string {
  return `DESTINATION_SECRET_${name.toUpperCase().replaceAll("-", "_")}`;
}

/** Starts the downstreams, then the consumer and the receiver side by side, and waits until both are ready. */
export async function startDestinationsStack(options: DestinationsStackOptions): Promise<DestinationsStack> {
  const root = await mkdtemp(join(tmpdir(), "bw-receiver-e2e-destinations-"));
  const sourceDir = join(root, "sources");
  const devRegistry = join(root, "registry");
  const downstreams = new Map<string, Downstream>();
  const workers: Array<Receiver | QueueConsumer> = [];
  const stop = async () => {
    try {
      await Promise.allSettled(workers.map((worker) => worker.stop()));
      await Promise.allSettled([...downstreams.values()].map((downstream) => downstream.close()));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  };
  try {
    await snapshotSources(sourceDir, { appendToWranglerToml: EVENTS_QUEUE_PRODUCER });
    for (const { name, secret } of options.http) downstreams.set(name, await startDownstream(secret));
    const destinations = [
      ...options.http.map(({ name, filter }) => ({ name, url: downstreams.get(name)?.url, filter })),
      { name: options.queue.name, queue: "EVENTS_QUEUE", filter: options.queue.filter },
    ];
    const secrets = Object.fromEntries(
      options.http.map(({ name, secret }) => [secretVariable(name), secret]),
    );
    const consumer = new QueueConsumer({ persistTo: join(root, "consumer-state"), devRegistry, sourceDir });
    const receiver = new Receiver({
      // Ignored with DESTINATIONS set, but the harness always passes one.
      downstreamUrl: [...downstreams.values()][0]?.url ?? "",
      persistTo: join(root, "receiver-state"),
      sourceDir,
      devRegistry,
      vars: { DESTINATIONS: JSON.stringify(destinations), ...secrets },
    });
    workers.push(consumer, receiver);
    await Promise.all([consumer.start(), receiver.start()]);
    return { receiver, consumer, downstreams, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Starts one destinations stack for the calling test file (in beforeAll), stops it afterwards, prints both
 * Workers' logs when a test fails, and returns an accessor for the running stack.
 */
export function useDestinationsStack(options: DestinationsStackOptions): () => DestinationsStack {
  let stack: DestinationsStack | undefined;
  beforeAll(async () => {
    stack = await startDestinationsStack(options);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  afterEach((context) => {
    if (context.task.result?.state === "fail" && stack) {
      console.error(`--- receiver (tail) for "${context.task.name}" ---\n${stack.receiver.logTail()}`);
      console.error(`--- queue consumer (tail) ---\n${stack.consumer.logTail()}`);
    }
  });
  return () => {
    if (!stack) throw new Error("the destinations stack did not start");
    return stack;
  };
}
