/**
 * Structured logs: one JSON object per line, never message text, never a full phone number. Lines below the
 * isolate's level (LOG_LEVEL, applied by src/config.ts whenever the configuration is read) are not written.
 */

/** The levels, least severe first; a level writes its own lines and those after it. */
export const LOG_LEVELS = ["info", "warn", "error"] as const;

/** How severe a line is, and the least severe a deployment writes (LOG_LEVEL). */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Fields of a log line; callers pass identifiers and outcomes, never message content. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const SEVERITY: Readonly<Record<LogLevel, number>> = { info: 0, warn: 1, error: 2 };

// Module state, one per isolate: every Worker request and Durable Object of a deployment has the same
// LOG_LEVEL. Until a configuration is read, every line is written.
let threshold = SEVERITY.info;

/** Whether `value` names a level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** From now on, in this isolate, writes only lines of `level` or more severe. */
export function setLogLevel(level: LogLevel): void {
  threshold = SEVERITY[level];
}

/** Writes one JSON log line, unless it is below the isolate's level. */
export function log(level: LogLevel, event: string, fields: LogFields = {}): void {
  // Before the line is built: a skipped line costs one comparison, not a JSON.stringify.
  if (SEVERITY[level] < threshold) return;
  const line = JSON.stringify({ level, event, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** A phone number or sender id with all but its first two and last two characters masked. */
export function maskNumber(value: string): string {
  if (value.length <= 4) return "*".repeat(value.length);
  return `${value.slice(0, 2)}${"*".repeat(value.length - 4)}${value.slice(-2)}`;
}
