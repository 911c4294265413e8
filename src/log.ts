/**
 * Structured logs: one JSON object per line, never message text, never a full phone number.
 */

/** Fields of a log line; callers pass identifiers and outcomes, never message content. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Writes one JSON log line. */
export function log(level: "info" | "warn" | "error", event: string, fields: LogFields = {}): void {
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
