/**
 * A receiver that is deployed twice on the same state: first from a changed copy of the sources (an older
 * version, say one whose schema refused something), then from the checkout as it is, with the same
 * `--persist-to`. What the first version stored is what the second one finds, as after a real deploy.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Downstream, startDownstream } from "../../../harness/downstream.ts";
import { DOWNSTREAM_SECRET, type Receiver, startReceiver } from "../../../harness/receiver.ts";
import { snapshotSources } from "../../e2e/harness/sources.ts";
import type { Stack } from "../../e2e/harness/stack.ts";

/** A change to one file of the sources: `find` must occur exactly once and becomes `replace`. */
export interface SourcePatch {
  file: string;
  find: string;
  replace: string;
}

/** A stack whose receiver can be deployed again from the checkout; `receiver` is the current one. */
export interface RedeployableStack extends Stack {
  /** Stops the receiver and starts the checkout's version on the same state. */
  redeploy(): Promise<void>;
}

async function applyPatch(sourceDir: string, patch: SourcePatch): Promise<void> {
  const path = join(sourceDir, patch.file);
  const text = await readFile(path, "utf8");
  if (text.split(patch.find).length !== 2) {
    throw new Error(
      `${patch.file} no longer holds exactly one ${JSON.stringify(patch.find)}: update the patch`,
    );
  }
  await writeFile(path, text.replace(patch.find, patch.replace));
}

/** Starts a downstream and a receiver built from the checkout changed by `patch`. */
export async function startPatchedStack(patch: SourcePatch): Promise<RedeployableStack> {
  const root = await mkdtemp(join(tmpdir(), "bw-receiver-browser-"));
  const persistTo = join(root, "state");
  let downstream: Downstream | undefined;
  let receiver: Receiver | undefined;
  let deploys = 0;
  const deploy = async (change?: SourcePatch) => {
    deploys += 1;
    const sourceDir = join(root, `sources-${deploys}`);
    await snapshotSources(sourceDir);
    if (change) await applyPatch(sourceDir, change);
    if (!downstream) throw new Error("no downstream");
    receiver = await startReceiver({ downstreamUrl: downstream.url, persistTo, sourceDir });
  };
  try {
    downstream = await startDownstream(DOWNSTREAM_SECRET);
    await deploy(patch);
  } catch (error) {
    await downstream?.close();
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const running = downstream;
  return {
    downstream: running,
    persistTo,
    get receiver(): Receiver {
      if (!receiver) throw new Error("no receiver is running");
      return receiver;
    },
    async redeploy() {
      await receiver?.stop();
      receiver = undefined;
      await deploy();
    },
    async stop() {
      try {
        await receiver?.stop();
      } finally {
        await running.close();
        await rm(root, { recursive: true, force: true });
      }
    },
  };
}
