/**
 * The seed documents (Bandwidth's own pages) in ../shared/seeds, read at test time and never copied here.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT } from "../../../harness/repo.ts";

/** Where the seed documents live: `../shared/seeds` relative to the repository root. */
export const SEEDS_DIR = resolve(REPO_ROOT, "../shared/seeds");

/**
 * The JSON examples of a seed page, in order: every block from a line `[` to the next line `]` that parses
 * as JSON (blocks that are not valid JSON, as one example in Bandwidth's page is, are skipped).
 */
export function seedExamples(file: string): unknown[] {
  const lines = readFileSync(resolve(SEEDS_DIR, file), "utf8").split(/\r?\n/);
  const examples: unknown[] = [];
  for (let start = 0; start < lines.length; start++) {
    if (lines[start]?.trim() !== "[") continue;
    const end = lines.findIndex((line, index) => index > start && line.trim() === "]");
    if (end < 0) break;
    try {
      examples.push(JSON.parse(lines.slice(start, end + 1).join("\n")));
    } catch {
      // not JSON (e.g. doubled quotes in a media URL): skip this example
    }
    start = end;
  }
  return examples;
}
