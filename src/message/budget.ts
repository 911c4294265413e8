/**
 * The storage budget of one message. A message is one stored row, and the platform refuses a row over 2 MB,
 * so everything a message keeps (its state, every event with its text, and room for each event's forwarding
 * state to grow) is held well under that: an event that would cross the budget is quarantined as too large
 * instead of being accepted, so recording a forward attempt always has room.
 */
import { utf8Length } from "../bandwidth/size.ts";
import type { EventRecord, StoredMessage } from "./records.ts";

/** What one message may keep, counted as the UTF-8 JSON of its state and events plus their headroom. */
export const MESSAGE_BUDGET_BYTES = 1024 * 1024;

/**
 * What one event's delivery to one destination may grow by after acceptance: attempts, times, a bounded last
 * error, index work. {@link boundedError} keeps the error within it.
 */
export const RECORD_HEADROOM_BYTES = 512;

/**
 * How large a change after acceptance (a replay to a new destination, a removed destination's events moved)
 * may make a message: half a megabyte past its budget, still far under the platform's 2 MB row.
 */
export const GROWN_MESSAGE_BYTES = MESSAGE_BUDGET_BYTES + 512 * 1024;

/** Thrown inside a change that would grow a message past {@link GROWN_MESSAGE_BYTES}, to roll it back. */
export class MessageTooLargeError extends Error {
  override readonly name = "MessageTooLargeError";
}

/** Throws {@link MessageTooLargeError} when `message` grew past what a change may make it. */
export function assertGrowthFits(message: StoredMessage): void {
  const bytes = usedBytes(message);
  if (bytes > GROWN_MESSAGE_BYTES) throw new MessageTooLargeError(`message would hold ${bytes} bytes`);
}

/** Longest last-error text kept on a record. */
export const MAX_ERROR_LENGTH = 200;

/** What an inbound event waiting for its media copies reserves for their descriptions (up to 10 files). */
export const MEDIA_HEADROOM_BYTES = 4096;

/**
 * The headroom a record reserves: one share per destination it goes to (one when it goes nowhere), and room
 * for its media copies' descriptions when it has media to copy.
 */
export function recordHeadroom(record: EventRecord): number {
  const media = record.media ? MEDIA_HEADROOM_BYTES : 0;
  return Math.max(1, Object.keys(record.deliveries).length) * RECORD_HEADROOM_BYTES + media;
}

/** The bytes a message counts against its budget. */
export function usedBytes(message: StoredMessage): number {
  return (
    utf8Length(JSON.stringify(message.state ?? null)) +
    utf8Length(JSON.stringify(message.events)) +
    message.events.reduce((sum, record) => sum + recordHeadroom(record), 0)
  );
}

/** An error text that fits its record's headroom: printable ASCII without JSON escapes, at most 200 characters. */
export function boundedError(text: string): string {
  return text.replace(/[^\x20-\x7e]|["\\]/g, "?").slice(0, MAX_ERROR_LENGTH);
}
