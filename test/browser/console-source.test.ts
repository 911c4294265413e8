/**
 * The console's sources use no HTML sink and no code from strings, so that every value reaches the page as a
 * text node (the Trusted Types policy of the CSP would refuse such a sink at run time; this says so before).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../harness/repo.ts";

const CONSOLE_DIR = join(REPO_ROOT, "src", "console");

/** What must not appear in a console script. */
const SINKS = [
  /\binnerHTML\b/,
  /\bouterHTML\b/,
  /\binsertAdjacentHTML\b/,
  /\bdocument\.write/,
  /\bcreateContextualFragment\b/,
  /\bDOMParser\b/,
  /\beval\s*\(/,
  /\bnew\s+Function\b/,
  /\bset(Timeout|Interval)\s*\(\s*["'`]/,
  /\blocalStorage\b/,
  /\bconsole\.(log|info|debug|warn|error)\b/,
];

describe("the console's sources", () => {
  const scripts = readdirSync(CONSOLE_DIR).filter((file) => file.endsWith(".js"));

  it("are plain modules, each type-checked", () => {
    expect(scripts.length).toBeGreaterThan(5);
    for (const file of scripts)
      expect(readFileSync(join(CONSOLE_DIR, file), "utf8"), file).toMatch(/^\/\/ @ts-check\n/);
  });

  it("use no HTML sink, no code from strings, no localStorage and no console logging", () => {
    for (const file of scripts) {
      const source = readFileSync(join(CONSOLE_DIR, file), "utf8");
      for (const sink of SINKS) expect(source, `${file} uses ${sink}`).not.toMatch(sink);
    }
  });

  it("name the admin token's storage in one module only", () => {
    const naming = scripts.filter((file) =>
      readFileSync(join(CONSOLE_DIR, file), "utf8").includes("sessionStorage."),
    );
    expect(naming).toEqual(["session.js"]);
  });
});
