/**
 * One end-to-end stack: a downstream and a `wrangler dev` receiver forwarding to it, with a temporary
 * persistence directory. One per test file (each file starts its own wrangler dev).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { type Downstream, startDownstream } from "../../../harness/downstream.ts";
import { DOWNSTREAM_SECRET, type Receiver, startReceiver } from "../../../harness/receiver.ts";
import { type SnapshotOptions, snapshotSources } from "./sources.ts";

/** A running downstream and receiver. */
export interface Stack {
  downstream: Downstream;
  receiver: Receiver;
  /** The receiver's `--persist-to` directory. */
  persistTo: string;
  /** Stops the receiver and the downstream and removes the persistence directory. */
  stop(): Promise<void>;
}

/** How the stack's receiver is built and run, beyond its `--var`s. */
export interface StackOptions extends SnapshotOptions {
  /** Workers run beside the receiver in its `wrangler dev` (see `ReceiverOptions.auxiliaryConfigs`). */
  auxiliaryConfigs?: readonly string[];
}

/**
 * Starts a downstream, then a receiver forwarding to it, built from a snapshot of the checkout; `vars` override
 * the receiver's `--var`s.
 */
export async function startStack(
  vars: Record<string, string> = {},
  options: StackOptions = {},
): Promise<Stack> {
  const root = await mkdtemp(join(tmpdir(), "bw-receiver-e2e-"));
  const persistTo = join(root, "state");
  const sourceDir = join(root, "sources");
  let downstream: Downstream | undefined;
  let receiver: Receiver;
  try {
    await snapshotSources(sourceDir, options);
    downstream = await startDownstream(DOWNSTREAM_SECRET);
    receiver = await startReceiver({
      downstreamUrl: downstream.url,
      persistTo,
      sourceDir,
      vars,
      // A dev registry of its own: the queue consumer it runs must not be found by other sessions' queues.
      ...(options.auxiliaryConfigs
        ? { auxiliaryConfigs: options.auxiliaryConfigs, devRegistry: join(root, "registry") }
        : {}),
    });
  } catch (error) {
    await downstream?.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    downstream,
    receiver,
    persistTo,
    async stop() {
      try {
        await receiver.stop();
      } finally {
        await downstream.close();
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}

/** Prints the tail of wrangler's output after every failed test of the file, to explain the failure. */
export function printReceiverLogOnFailure(current: () => Stack | undefined): void {
  afterEach((context) => {
    const stack = current();
    if (context.task.result?.state === "fail" && stack) {
      console.error(
        `--- wrangler dev output (tail) for "${context.task.name}" ---\n${stack.receiver.logTail()}`,
      );
    }
  });
}

/**
 * Starts one stack for the calling test file (in beforeAll; `vars` override the receiver's `--var`s), stops it
 * afterwards, prints the receiver's log when a test fails, and returns an accessor for the running stack.
 */
export function useStack(vars: Record<string, string> = {}, options: StackOptions = {}): () => Stack {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(vars, options);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  printReceiverLogOnFailure(() => stack);
  return () => {
    if (!stack) throw new Error("the stack did not start");
    return stack;
  };
}
