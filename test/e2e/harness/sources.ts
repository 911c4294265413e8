/**
 * A snapshot of the checkout for `wrangler dev` to build from. wrangler dev watches its sources and reloads the
 * Worker when one changes; building from a copy taken at start means that edits made to the working tree while
 * a test runs never swap (or break) the receiver under test. The snapshot's wrangler.toml can gain bindings the
 * committed one leaves out (a Queues producer binding).
 */
import { appendFile, cp, symlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { REPO_ROOT } from "../../../harness/repo.ts";

/** Top-level entries of the checkout that the Worker's build never needs. */
const LEFT_OUT = new Set([".git", "node_modules", ".wrangler", "reports", ".dev.vars"]);

/**
 * The producer binding docs/destinations.md tells users to add: the committed wrangler.toml has none, because
 * `wrangler deploy` fails where the queue does not exist.
 */
export const EVENTS_QUEUE_PRODUCER = `
[[queues.producers]]
binding = "EVENTS_QUEUE"
queue = "bandwidth-events"
`;

/** How to take a snapshot. */
export interface SnapshotOptions {
  /** TOML appended to the snapshot's wrangler.toml, e.g. {@link EVENTS_QUEUE_PRODUCER}. */
  appendToWranglerToml?: string;
}

/** Copies the checkout (without {@link LEFT_OUT}) into `into`, with node_modules linked rather than copied. */
export async function snapshotSources(into: string, options: SnapshotOptions = {}): Promise<void> {
  await cp(REPO_ROOT, into, {
    recursive: true,
    filter: (source) => !LEFT_OUT.has(relative(REPO_ROOT, source).split(sep)[0] ?? ""),
  });
  await symlink(join(REPO_ROOT, "node_modules"), join(into, "node_modules"), "dir");
  if (options.appendToWranglerToml)
    await appendFile(join(into, "wrangler.toml"), options.appendToWranglerToml);
}
