/**
 * Where a message's rows live in the sharded index, as its Durable Object remembers it: the shard chosen at its
 * first index write (kept for the message's life, so that adding a shard moves nothing) and the message times
 * its row may be stored under (the row's key is the message's time and id; a header that changes its time moves
 * the row, and the old key is deleted with the next write). Pure.
 */
import { indexTime } from "./index-rows.ts";
import type { IndexPlacement, StoredMessage } from "./records.ts";

export type { IndexPlacement } from "./records.ts";

/** The shard that held every message's rows before the index had shards. */
export const FIRST_SHARD = "MESSAGE_INDEX";

/**
 * The placement for writing the message's row under `time`: the remembered shard (a new message's chosen by a
 * stable hash of `messageId` over `shards`, the names configured now) with `time` among its times.
 */
export function placementFor(
  current: IndexPlacement | undefined,
  messageId: string,
  time: number,
  shards: readonly string[],
): IndexPlacement {
  const shard = current?.shard ?? chooseShard(messageId, shards);
  const times = current?.times ?? [];
  return { shard, times: times.includes(time) ? [...times] : [...times, time].sort((a, b) => a - b) };
}

/** Whether two placements are the same (a new one must be stored before the write that uses it). */
export function samePlacement(a: IndexPlacement | undefined, b: IndexPlacement): boolean {
  return a !== undefined && a.shard === b.shard && a.times.join() === b.times.join();
}

/** The placement once a write under `time` succeeded: the other keys were deleted by it. */
export function writtenUnder(placement: IndexPlacement, time: number): IndexPlacement {
  return { shard: placement.shard, times: [time] };
}

/**
 * Sets the message's placement for its current header time (a new message's shard chosen over `shards`), in
 * memory: called inside the write that stores its events, so that placing it costs no write of its own.
 */
export function placeMessage(message: StoredMessage, shards: readonly string[]): void {
  const { state, events } = message;
  if (!state || events.length === 0) return;
  message.index = placementFor(message.index, state.header.id, indexTime(state, events), shards);
}

/** FNV-1a (32 bits) of the id's UTF-16 code units: stable across runtimes and versions. Pure. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The shard a new message's rows go to, among the shards configured now: the same for the same id and list. */
export function chooseShard(messageId: string, names: readonly string[]): string {
  const name = names[stableHash(messageId) % names.length];
  if (name === undefined) throw new RangeError("chooseShard needs at least one shard");
  return name;
}
