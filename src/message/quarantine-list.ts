/**
 * The quarantine list across messages: which shard holds a message's entries, one page merged from every
 * shard, oldest first, and one batch of message ids merged from every shard for a bulk release. Quarantine is
 * a failure path, but schema drift at Bandwidth quarantines every event at once, so the list is sharded by
 * message id rather than one object that every message would call.
 */
import { batchOf, type ListPosition, type MessageIdBatch } from "./list-cursor.ts";
import type { EventIssue } from "./records.ts";

/** How many QuarantineList objects share the entries. */
export const QUARANTINE_SHARDS = 8;

/** One held event as the operator's list shows it: never its text or numbers. */
export interface QuarantineEntry {
  eventId: string;
  messageId: string;
  type: string;
  issues: EventIssue[];
  /** When it was first held (epoch ms). */
  at: number;
}

/** One shard's page: up to `limit` entries after a position, and whether it has more. */
export interface ShardPage {
  items: QuarantineEntry[];
  total: number;
  more: boolean;
}

/** One page of the whole list. */
export interface QuarantinePage {
  items: QuarantineEntry[];
  total: number;
  /** Where the next page starts; absent on the last page. */
  next?: ListPosition;
}

/** The name of the shard that lists `messageId`'s entries (FNV-1a of the id). */
export function quarantineShard(messageId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++) {
    hash = Math.imul(hash ^ messageId.charCodeAt(i), 0x01000193) >>> 0;
  }
  return `shard-${hash % QUARANTINE_SHARDS}`;
}

/** Every shard's name. */
export function quarantineShards(): string[] {
  return Array.from({ length: QUARANTINE_SHARDS }, (_, n) => `shard-${n}`);
}

/** Orders entries by when they were held, then by id. */
export function compareEntries(a: QuarantineEntry, b: QuarantineEntry): number {
  return a.at - b.at || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0);
}

/** Merges the shards' pages (each of up to `limit` entries after the same position) into one page. */
export function mergePages(pages: readonly ShardPage[], limit: number): QuarantinePage {
  const all = pages.flatMap((page) => page.items).sort(compareEntries);
  const items = all.slice(0, limit);
  const last = items.at(-1);
  const more = all.length > limit || pages.some((page) => page.more);
  return {
    items,
    total: pages.reduce((sum, page) => sum + page.total, 0),
    ...(more && last ? { next: [last.at, last.eventId] as ListPosition } : {}),
  };
}

/**
 * Orders message ids as SQLite's `ORDER BY` and `>` do (by UTF-8 bytes, that is by code point), not by
 * UTF-16 units as `<` does: the two differ past U+FFFF, and merging in another order than the shards' skips ids.
 */
export function compareMessageIds(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x - y;
    i += x > 0xffff ? 2 : 1;
  }
  return (i < a.length ? 1 : 0) - (i < b.length ? 1 : 0);
}

/**
 * Merges the shards' message ids (each shard's first `limit + 1` after the same cursor, in order) into the
 * first `limit` across shards; `next`, the last id taken, is where the next batch starts when more remain.
 */
export function mergeMessageIds(shards: readonly (readonly string[])[], limit: number): MessageIdBatch {
  return batchOf([...new Set(shards.flat())].sort(compareMessageIds), limit);
}
