/**
 * QuarantineList: one shard of the list of quarantined events across messages (the events themselves stay in
 * their MessageTracker). Touched only when an event is quarantined, released or expires, from the message's
 * alarm, never on the path of Bandwidth's 200.
 */

import { DurableObject } from "cloudflare:workers";
import { inJurisdiction } from "../jurisdiction.ts";
import type { ListPosition } from "../message/list-cursor.ts";
import type { QuarantineEntry, ShardPage } from "../message/quarantine-list.ts";

interface EntryRow extends Record<string, SqlStorageValue> {
  event_id: string;
  message_id: string;
  type: string;
  issues: string;
  at: number;
}

export class QuarantineList extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, inJurisdiction(env));
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS entries (
      event_id TEXT PRIMARY KEY,
      message_id TEXT NOT NULL,
      type TEXT NOT NULL,
      issues TEXT NOT NULL,
      at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS entries_by_time ON entries (at, event_id);
    CREATE INDEX IF NOT EXISTS entries_by_message ON entries (message_id);`);
  }

  /** Adds (or refreshes) entries and removes others, in one transaction. Idempotent. */
  async update(added: QuarantineEntry[], removed: string[]): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      for (const id of removed) this.sql.exec("DELETE FROM entries WHERE event_id = ?", id);
      for (const entry of added) {
        this.sql.exec(
          "INSERT OR REPLACE INTO entries (event_id, message_id, type, issues, at) VALUES (?, ?, ?, ?, ?)",
          entry.eventId,
          entry.messageId,
          entry.type,
          JSON.stringify(entry.issues),
          entry.at,
        );
      }
    });
  }

  /** Up to `limit` entries after `after`, oldest first. */
  async list(limit: number, after?: ListPosition): Promise<ShardPage> {
    const [at, id] = after ?? [-1, ""];
    const rows = this.sql
      .exec<EntryRow>(
        "SELECT * FROM entries WHERE (at, event_id) > (?, ?) ORDER BY at, event_id LIMIT ?",
        at,
        id,
        limit + 1,
      )
      .toArray();
    const items = rows.slice(0, limit).map((row) => ({
      eventId: row.event_id,
      messageId: row.message_id,
      type: row.type,
      issues: JSON.parse(row.issues) as QuarantineEntry["issues"],
      at: row.at,
    }));
    return {
      items,
      total: this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries").one().n,
      more: rows.length > limit,
    };
  }

  /** Ids of messages with held events, in id order, up to `limit`, after the id `after` when given. */
  async messageIds(limit: number, after?: string): Promise<string[]> {
    return this.sql
      .exec<{ message_id: string }>(
        "SELECT DISTINCT message_id FROM entries WHERE message_id > ? ORDER BY message_id LIMIT ?",
        after ?? "",
        limit,
      )
      .toArray()
      .map((row) => row.message_id);
  }
}
