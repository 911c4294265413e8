/**
 * The development settings file (`.dev.vars`, dotenv syntax): reading it, creating it from the committed
 * `.dev.vars.example`, and naming the settings it lacks. Values are never printed from here.
 */
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT } from "../../harness/repo.ts";

/** The default development settings file, `.dev.vars` at the repository root (git ignores it). */
export const DEFAULT_DEV_VARS = resolve(REPO_ROOT, ".dev.vars");

/** The committed example the settings file is created from. */
export const DEV_VARS_EXAMPLE = resolve(REPO_ROOT, ".dev.vars.example");

/** Settings by name. */
export type DevVars = Readonly<Record<string, string>>;

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

function unquote(raw: string): string {
  const quote = raw[0];
  if ((quote === '"' || quote === "'") && raw.length >= 2 && raw.endsWith(quote)) {
    const inner = raw.slice(1, -1);
    return quote === '"' ? inner.replaceAll("\\n", "\n") : inner;
  }
  // An unquoted value ends at ` #`, as in dotenv, which wrangler uses to read the same file.
  const comment = raw.search(/\s#/);
  return (comment < 0 ? raw : raw.slice(0, comment)).trim();
}

/** Parses dotenv text: `NAME=value` lines; blank lines and `#` comments are skipped, quotes removed. */
export function parseDevVars(text: string): DevVars {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(line)) continue;
    const match = LINE.exec(line);
    if (match?.[1] !== undefined) vars[match[1]] = unquote(match[2] ?? "");
  }
  return vars;
}

/** The names set in `example` that `actual` does not set, in the example's order. */
export function missingSettings(example: DevVars, actual: DevVars): string[] {
  return Object.keys(example).filter((name) => !(name in actual));
}

/** Reads and parses a settings file, or undefined when it does not exist. */
export function readDevVars(path: string): DevVars | undefined {
  if (!existsSync(path)) return undefined;
  return parseDevVars(readFileSync(path, "utf8"));
}

/** What {@link ensureDevVars} found or did. */
export interface DevVarsState {
  /** The settings, as read after creating the file if needed. */
  vars: DevVars;
  /** Whether the file was created from the example just now. */
  created: boolean;
  /** Settings the example has and the file lacks (names only). */
  missing: string[];
}

/** Creates `path` from the example when it is absent, then reads it and compares it with the example. */
export function ensureDevVars(path: string, examplePath: string = DEV_VARS_EXAMPLE): DevVarsState {
  const example = readDevVars(examplePath) ?? {};
  let created = false;
  if (!existsSync(path)) {
    copyFileSync(examplePath, path);
    created = true;
  }
  const vars = readDevVars(path) ?? {};
  return { vars, created, missing: missingSettings(example, vars) };
}

/** The Basic credentials and admin token of a settings file, empty strings for those not set. */
export function devCredentials(vars: DevVars): { username: string; password: string; adminToken: string } {
  return {
    username: vars.CALLBACK_USERNAME ?? "",
    password: vars.CALLBACK_PASSWORD ?? "",
    // ADMIN_TOKEN may hold several space-separated tokens while rotating; any one works.
    adminToken: (vars.ADMIN_TOKEN ?? "").trim().split(/\s+/)[0] ?? "",
  };
}
