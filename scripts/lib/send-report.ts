/**
 * What `npm run send` prints: one line per callback (type, message id, masked recipient, HTTP status,
 * accepted/duplicates) and the totals. Pure; phone numbers are masked as in the receiver's logs.
 */
import { maskNumber } from "../../src/log.ts";
import type { CallbackOutcome } from "./callback-client.ts";

/** The first event of a callback body as far as the output shows it, read defensively (any JSON). */
export interface CallbackSummary {
  type: string;
  messageId: string;
  recipient: string;
  /** How many more events the body holds. */
  more: number;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "?";
}

/** Summarizes a callback body (an array of events) for its output line. */
export function summarizeCallback(events: readonly unknown[]): CallbackSummary {
  const first = events[0];
  return {
    type: text(field(first, "type")),
    messageId: text(field(field(first, "message"), "id")),
    recipient: maskNumber(text(field(first, "to"))),
    more: Math.max(0, events.length - 1),
  };
}

/** The answer part of a line: `200 accepted 1, duplicates 0` or `401 NOT ACCEPTED: unauthorized`. */
export function describeOutcome(outcome: CallbackOutcome): string {
  switch (outcome.kind) {
    case "accepted":
      return `${outcome.status} accepted ${outcome.accepted}, duplicates ${outcome.duplicates}`;
    case "refused":
      return `${outcome.status} NOT ACCEPTED: ${outcome.reason}`;
    case "unreachable":
      return `--- NOT ACCEPTED: unreachable (${outcome.reason})`;
  }
}

/** One output line: `[ 3/19] message-delivered  <message id>  +1********01  200 accepted 1, duplicates 0`. */
export function callbackLine(
  position: number,
  total: number,
  summary: CallbackSummary,
  outcome: CallbackOutcome,
  label = "",
): string {
  const width = String(total).length;
  const more = summary.more > 0 ? ` (+${summary.more} more events)` : "";
  const note = label ? `  ${label}` : "";
  return (
    `[${String(position).padStart(width)}/${total}] ${summary.type.padEnd(27)} ${summary.messageId.padEnd(29)}  ` +
    `${summary.recipient.padEnd(12)}  ${describeOutcome(outcome)}${more}${note}`
  );
}

/** Totals over a run's outcomes. */
export interface RunTotals {
  callbacks: number;
  accepted: number;
  failed: number;
  newEvents: number;
  duplicates: number;
  unreachable: number;
}

/** Adds up outcomes. */
export function totals(outcomes: readonly CallbackOutcome[]): RunTotals {
  const sum: RunTotals = {
    callbacks: 0,
    accepted: 0,
    failed: 0,
    newEvents: 0,
    duplicates: 0,
    unreachable: 0,
  };
  for (const outcome of outcomes) {
    sum.callbacks++;
    if (outcome.kind === "accepted") {
      sum.accepted++;
      sum.newEvents += outcome.accepted;
      sum.duplicates += outcome.duplicates;
    } else {
      sum.failed++;
      if (outcome.kind === "unreachable") sum.unreachable++;
    }
  }
  return sum;
}

/** The closing line, e.g. `19 callbacks: 19 accepted, 0 failed (19 new events, 0 duplicates)`. */
export function totalsLine(sum: RunTotals, elapsedMs?: number): string {
  const rate =
    elapsedMs === undefined
      ? ""
      : ` in ${(elapsedMs / 1000).toFixed(2)} s (${((sum.callbacks * 1000) / Math.max(1, elapsedMs)).toFixed(1)} requests/s)`;
  return (
    `${sum.callbacks} callbacks${rate}: ${sum.accepted} accepted, ${sum.failed} failed ` +
    `(${sum.newEvents} new events, ${sum.duplicates} duplicates)`
  );
}
