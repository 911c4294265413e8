/**
 * Reading a sharded index: every question goes to every shard in parallel and the answers are merged, so the
 * caller sees one index. Pages and replay batches keep the index's order (message time, then id) across shards:
 * each shard returns its first rows after the position, and the merge keeps the first `limit` of them all. A
 * message lives in one shard only, so one position (the last row returned) is every shard's position; a shard
 * that has nothing more is named in `exhausted` and not asked again. Statistics add each shard's counts; the
 * percentiles of time to delivery, which do not add, come from the shards' merged distributions (see stats.ts).
 */
import type { MessageFilter, MessagePosition } from "./filter.ts";
import { countForReplay, type MessageSummary, searchMessages, selectForReplay } from "./search.ts";
import type { IndexShard } from "./shards.ts";

/** Where a page of a sharded search ends: the last row's position, and the shards with nothing after it. */
export interface ShardedPosition {
  position: MessagePosition;
  exhausted: string[];
}

/** One page of a sharded search. */
export interface ShardedPage {
  messages: MessageSummary[];
  next?: ShardedPosition;
}

/** Newest first: by time descending, then id descending (SQLite's BINARY order for the ASCII ids Bandwidth uses). */
function newerFirst(a: MessagePosition, b: MessagePosition): number {
  if (a.time !== b.time) return b.time - a.time;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

function positionOf(summary: MessageSummary): MessagePosition {
  return { time: Date.parse(summary.time), id: summary.id };
}

/**
 * The summaries matching `filter` across `shards`, newest first, at most `page.limit` after `page.after`.
 * Throws an IndexError when a shard fails.
 */
export async function searchShards(
  shards: readonly IndexShard[],
  filter: MessageFilter,
  page: { limit: number; after?: ShardedPosition },
): Promise<ShardedPage> {
  const exhausted = new Set(page.after?.exhausted ?? []);
  const asked = shards.filter((shard) => !exhausted.has(shard.name));
  const answers = await Promise.all(
    asked.map((shard) =>
      searchMessages(shard.db, filter, {
        limit: page.limit,
        ...(page.after ? { after: page.after.position } : {}),
      }),
    ),
  );
  const rows = answers.flatMap((answer, i) =>
    answer.messages.map((summary) => ({ summary, shard: i, more: answer.next !== undefined })),
  );
  rows.sort((a, b) => newerFirst(positionOf(a.summary), positionOf(b.summary)));
  const taken = rows.slice(0, page.limit);
  const last = taken.at(-1);
  if (!last) return { messages: [] };
  // A shard has more after `last` when it returned rows the page left out or said it had more than it returned.
  const left = new Set(rows.slice(page.limit).map((row) => row.shard));
  const done = asked
    .filter((_, i) => !left.has(i) && answers[i]?.next === undefined)
    .map((shard) => shard.name);
  const stillOpen = asked.length - done.length;
  const messages = taken.map((row) => row.summary);
  if (stillOpen === 0) return { messages };
  // Shards added since the first page are not named: they are asked from the position, like the others.
  return {
    messages,
    next: { position: positionOf(last.summary), exhausted: [...exhausted, ...done].sort() },
  };
}

/** How many messages match `filter` in all shards, and how many events they hold. */
export async function countShards(
  shards: readonly IndexShard[],
  filter: MessageFilter,
): Promise<{ messages: number; events: number }> {
  const counts = await Promise.all(shards.map((shard) => countForReplay(shard.db, filter)));
  return counts.reduce((sum, count) => ({
    messages: sum.messages + count.messages,
    events: sum.events + count.events,
  }));
}

/** The ids of at most `batch` messages matching `filter` after `after`, oldest first, across `shards`. */
export async function selectShardsForReplay(
  shards: readonly IndexShard[],
  filter: MessageFilter,
  after: MessagePosition | undefined,
  batch: number,
): Promise<{ ids: string[]; next?: MessagePosition }> {
  const answers = await Promise.all(shards.map((shard) => selectForReplay(shard.db, filter, after, batch)));
  const rows = answers.flatMap((answer) => answer.rows);
  rows.sort((a, b) => newerFirst(b, a));
  const taken = rows.slice(0, batch);
  const last = taken.at(-1);
  const more = rows.length > batch || answers.some((answer) => answer.next !== undefined);
  return {
    ids: taken.map((row) => row.id),
    ...(more && last ? { next: { time: last.time, id: last.id } } : {}),
  };
}
