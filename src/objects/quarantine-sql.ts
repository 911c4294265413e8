/**
 * The MessageTracker's quarantine table: the events of this message that were authenticated but not accepted
 * (invalid, or too large), kept whole so that a later deploy can re-validate and release them. Created by the
 * first quarantined event only: a healthy message never pays a page for it. A released event's row stays as a
 * tombstone (no raw event) until the quarantine list across messages has forgotten it.
 */
import type { IndexWork, QuarantineRecord } from "../message/records.ts";

/** Name of the table, as listed in sqlite_master. */
export const QUARANTINE_TABLE = "quarantine";

/** One held event's listing entry, with the list work still to do for it. */
export interface QuarantineWork {
  eventId: string;
  type: string;
  issues: string;
  quarantinedAt: number;
  work: Exclude<IndexWork, null>;
}

interface QuarantineRow extends Record<string, SqlStorageValue> {
  event_id: string;
  type: string;
  raw: string;
  issues: string;
  quarantined_at: number;
  duplicates: number;
}

/** Creates the table if this message has none yet. */
export function createQuarantineTable(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS quarantine (
    event_id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    raw TEXT,
    issues TEXT NOT NULL,
    quarantined_at INTEGER NOT NULL,
    duplicates INTEGER NOT NULL DEFAULT 0,
    index_work TEXT
  )`);
}

/** Holds new events, or refreshes the issues of one already held (keeping when it was first held). */
export function holdEvents(sql: SqlStorage, records: readonly QuarantineRecord[]): void {
  for (const record of records) {
    sql.exec(
      `INSERT INTO quarantine (event_id, type, raw, issues, quarantined_at, index_work)
       VALUES (?, ?, ?, ?, ?, 'add')
       ON CONFLICT (event_id) DO UPDATE SET raw = excluded.raw, issues = excluded.issues, index_work = 'add'
       WHERE quarantine.issues IS NOT excluded.issues OR quarantine.raw IS NULL`,
      record.eventId,
      record.type,
      JSON.stringify(record.raw),
      JSON.stringify(record.issues),
      record.quarantinedAt,
    );
  }
}

/** Counts one more send of each held event. */
export function countHeldDuplicates(sql: SqlStorage, eventIds: readonly string[]): void {
  for (const id of eventIds)
    sql.exec("UPDATE quarantine SET duplicates = duplicates + 1 WHERE event_id = ?", id);
}

/** Marks held events as released (accepted): their raw copy goes, their listing entry is to be removed. */
export function releaseEvents(sql: SqlStorage, eventIds: readonly string[]): void {
  for (const id of eventIds) {
    sql.exec("UPDATE quarantine SET raw = NULL, index_work = 'remove' WHERE event_id = ?", id);
  }
}

/** Ids of the events held now. */
export function heldIds(sql: SqlStorage): Set<string> {
  const rows = sql.exec<{ event_id: string }>("SELECT event_id FROM quarantine WHERE raw IS NOT NULL");
  return new Set(rows.toArray().map((row) => row.event_id));
}

/** The events held now, oldest first. */
export function heldEvents(sql: SqlStorage): QuarantineRecord[] {
  return sql
    .exec<QuarantineRow>(
      `SELECT event_id, type, raw, issues, quarantined_at, duplicates FROM quarantine
       WHERE raw IS NOT NULL ORDER BY quarantined_at, event_id`,
    )
    .toArray()
    .map((row) => ({
      eventId: row.event_id,
      type: row.type,
      raw: JSON.parse(row.raw) as unknown,
      issues: JSON.parse(row.issues) as QuarantineRecord["issues"],
      quarantinedAt: row.quarantined_at,
      duplicates: row.duplicates,
    }));
}

/** Marks every row for removal from the list across messages (the message is about to expire). */
export function forgetAll(sql: SqlStorage): void {
  sql.exec("UPDATE quarantine SET index_work = 'remove'");
}

/** Marks every held event to be listed again (expiry took them off the list, then the message was kept). */
export function relistAll(sql: SqlStorage): void {
  sql.exec("UPDATE quarantine SET index_work = 'add' WHERE raw IS NOT NULL");
}

/** Listing work still to do. */
export function quarantineWork(sql: SqlStorage): QuarantineWork[] {
  return sql
    .exec<{ event_id: string; type: string; issues: string; quarantined_at: number; index_work: string }>(
      "SELECT event_id, type, issues, quarantined_at, index_work FROM quarantine WHERE index_work IS NOT NULL",
    )
    .toArray()
    .map((row) => ({
      eventId: row.event_id,
      type: row.type,
      issues: row.issues,
      quarantinedAt: row.quarantined_at,
      work: row.index_work === "remove" ? "remove" : "add",
    }));
}

/** Clears the work that was done; an entry re-marked meanwhile keeps its new work. Tombstones go. */
export function clearQuarantineWork(sql: SqlStorage, done: readonly QuarantineWork[]): void {
  for (const { eventId, work } of done) {
    if (work === "add") {
      sql.exec("UPDATE quarantine SET index_work = NULL WHERE event_id = ? AND index_work = 'add'", eventId);
    } else {
      sql.exec(
        "DELETE FROM quarantine WHERE event_id = ? AND index_work = 'remove' AND raw IS NULL",
        eventId,
      );
      sql.exec(
        "UPDATE quarantine SET index_work = NULL WHERE event_id = ? AND index_work = 'remove'",
        eventId,
      );
    }
  }
}
