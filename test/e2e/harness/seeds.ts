/**
 * The JSON examples of Bandwidth's own event pages, carried in test/fixtures/bandwidth-pages/ (see its README).
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT } from "../../../harness/repo.ts";

/** Where the examples of Bandwidth's event pages live, inside the repository. */
export const PAGE_EXAMPLES_DIR = resolve(REPO_ROOT, "test/fixtures/bandwidth-pages");

/** The JSON examples of one page (`message-delivered-event`), in the order the page shows them. */
export function seedExamples(page: string): unknown[] {
  return readdirSync(PAGE_EXAMPLES_DIR)
    .filter((file) => file.startsWith(`${page}-`) && file.endsWith(".json"))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((file) => JSON.parse(readFileSync(resolve(PAGE_EXAMPLES_DIR, file), "utf8")) as unknown);
}
