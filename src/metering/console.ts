/**
 * Counting log lines: each `console.log`, `info`, `warn`, `error` or `debug` call is one Workers Logs event,
 * billed like each invocation's own log, and its bytes (the arguments as the console joins them, and a newline):
 * Workers Logs is billed by volume from 2026-12-01. Installed on the global `console` from the first metered request or
 * object call, and again on a method that something replaced since (a test's spy). A line that `log()` skips
 * (below LOG_LEVEL) never reaches `console`, so it is not counted.
 */
import { count } from "./counts.ts";

type ConsoleMethod = (...args: unknown[]) => void;

const METHODS = ["log", "info", "warn", "error", "debug"] as const;
/** The counting wrappers installed, so that a method is never wrapped twice. */
const counting = new WeakSet<ConsoleMethod>();
const encoder = new TextEncoder();

/** The UTF-8 bytes of a console line: its arguments joined by spaces, and a newline. */
export function lineBytes(args: readonly unknown[]): number {
  const text = args
    .map((arg) => (typeof arg === "string" ? arg : (JSON.stringify(arg) ?? String(arg))))
    .join(" ");
  return encoder.encode(text).length + 1;
}

/** Counts every console line from now on. */
export function meterConsole(): void {
  for (const method of METHODS) {
    const original: ConsoleMethod = console[method];
    if (counting.has(original)) continue;
    const countedLine = function countedLine(...args: unknown[]) {
      count("logLines");
      count("logBytes", lineBytes(args));
      original.apply(console, args);
    };
    counting.add(countedLine);
    console[method] = countedLine;
  }
}
