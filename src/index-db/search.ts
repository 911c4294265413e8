/**
 * Reading the index: {@link searchMessages} pages message summaries newest first (GET /messages),
 * {@link selectForReplay} walks the ids of matching messages oldest first in bounded batches (POST /replay).
 * Both page by keyset on (message time, id), so a page costs the same however deep it is.
 */
import {
  filterConditions,
  type MessageFilter,
  type MessagePosition,
  SqlParameters,
  whereClause,
} from "./filter.ts";
import { indexOperation } from "./index-error.ts";

/** One message as `GET /messages` lists it. */
export interface MessageSummary {
  id: string;
  direction: "inbound" | "outbound";
  from: string;
  to: string[];
  applicationId?: string;
  tag?: string;
  status: string;
  errorCodes: number[];
  segmentCount?: number;
  /** The message's time (`message.time`), to the millisecond. */
  time: string;
  /** When the message last changed. */
  updatedAt: string;
  pending: number;
  dead: number;
  quarantined: number;
  /** Events no destination's filter took (see `GET /messages?forwarding=unrouted`). */
  unrouted: number;
  /** Present when reconciliation gave up on the message. */
  reconciliation?: "given-up";
}

/** One page of a search: the summaries, and where the next page starts (absent on the last). */
export interface SearchResult {
  messages: MessageSummary[];
  next?: MessagePosition;
}

/** One batch of a replay: the ids, and where the next batch starts (absent on the last). */
export interface ReplayBatch {
  ids: string[];
  /** The same messages' positions (what a merge across shards orders by). */
  rows: MessagePosition[];
  next?: MessagePosition;
}

interface SummaryRecord {
  id: string;
  direction: "inbound" | "outbound";
  sender: string;
  recipients: string;
  application_id: string | null;
  tag: string | null;
  status: string;
  error_codes: string;
  segment_count: number | null;
  time: number;
  updated_at: number;
  pending: number;
  dead: number;
  quarantined: number;
  unrouted: number;
  reconciliation: string | null;
}

const SUMMARY_COLUMNS =
  "m.id, m.direction, m.sender, m.recipients, m.application_id, m.tag, m.status, m.error_codes, " +
  "m.segment_count, m.time, m.updated_at, m.pending, m.dead, m.quarantined, m.unrouted, m.reconciliation";

/**
 * The summaries of the messages matching `filter`, newest first (by message time, then id descending), at most
 * `page.limit` of them after `page.after`. Throws an IndexError when D1 fails.
 */
export function searchMessages(
  db: D1Database,
  filter: MessageFilter,
  page: { limit: number; after?: MessagePosition },
): Promise<SearchResult> {
  const params = new SqlParameters();
  const conditions = filterConditions(filter, params, page.after && { position: page.after, order: "desc" });
  const limit = params.add(page.limit + 1);
  const sql = `SELECT ${SUMMARY_COLUMNS} FROM message_index m ${whereClause(conditions)}
    ORDER BY m.time DESC, m.id DESC LIMIT ${limit}`;
  return indexOperation("searchMessages", async () => {
    const { results } = await db
      .prepare(sql)
      .bind(...params.values)
      .all<SummaryRecord>();
    const rows = results.slice(0, page.limit);
    const last = rows.at(-1);
    const more = results.length > page.limit && last !== undefined;
    return { messages: rows.map(toSummary), ...(more ? { next: { time: last.time, id: last.id } } : {}) };
  });
}

/** How many messages match `filter`, and how many events they hold: what a replay of them sends. */
export function countForReplay(
  db: D1Database,
  filter: MessageFilter,
): Promise<{ messages: number; events: number }> {
  const params = new SqlParameters();
  const conditions = filterConditions(filter, params);
  const sql = `SELECT COUNT(*) AS messages, COALESCE(SUM(m.events), 0) AS events FROM message_index m ${whereClause(conditions)}`;
  return indexOperation("countForReplay", async () => {
    const row = await db
      .prepare(sql)
      .bind(...params.values)
      .first<{ messages: number; events: number }>();
    return { messages: row?.messages ?? 0, events: row?.events ?? 0 };
  });
}

/**
 * The ids of the messages matching `filter`, oldest first, at most `batch` of them after `after`: a replay
 * works through any number of messages one bounded batch at a time. Throws an IndexError when D1 fails.
 */
export function selectForReplay(
  db: D1Database,
  filter: MessageFilter,
  after: MessagePosition | undefined,
  batch: number,
): Promise<ReplayBatch> {
  const params = new SqlParameters();
  const conditions = filterConditions(filter, params, after && { position: after, order: "asc" });
  const limit = params.add(batch + 1);
  const sql = `SELECT m.id, m.time FROM message_index m ${whereClause(conditions)}
    ORDER BY m.time, m.id LIMIT ${limit}`;
  return indexOperation("selectForReplay", async () => {
    const { results } = await db
      .prepare(sql)
      .bind(...params.values)
      .all<{ id: string; time: number }>();
    const rows = results.slice(0, batch);
    const last = rows.at(-1);
    const more = results.length > batch && last !== undefined;
    return {
      ids: rows.map((row) => row.id),
      rows: rows.map(({ time, id }) => ({ time, id })),
      ...(more ? { next: { time: last.time, id: last.id } } : {}),
    };
  });
}

function toSummary(row: SummaryRecord): MessageSummary {
  return {
    id: row.id,
    direction: row.direction,
    from: row.sender,
    to: JSON.parse(row.recipients) as string[],
    ...(row.application_id === null ? {} : { applicationId: row.application_id }),
    ...(row.tag === null ? {} : { tag: row.tag }),
    status: row.status,
    errorCodes: JSON.parse(row.error_codes) as number[],
    ...(row.segment_count === null ? {} : { segmentCount: row.segment_count }),
    time: new Date(row.time).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    pending: row.pending,
    dead: row.dead,
    quarantined: row.quarantined,
    unrouted: row.unrouted,
    ...(row.reconciliation === "given-up" ? { reconciliation: "given-up" as const } : {}),
  };
}
