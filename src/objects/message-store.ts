/**
 * A MessageTracker's storage: its schema's lifecycle, the message kept parsed in memory between calls, the ids
 * it holds in quarantine, and the one way to change them: {@link MessageStore.change}, a transaction that
 * writes the message back whole and leaves nothing behind (in storage or in memory) when it fails.
 */
import type { QuarantineRecord, StoredMessage } from "../message/records.ts";
import { existingTables, lastActivity, loadMessage, migrate, saveMessage, versionOf } from "./message-sql.ts";
import { heldEvents, heldIds, QUARANTINE_TABLE } from "./quarantine-sql.ts";

/** One Durable Object's message, as stored. */
export class MessageStore {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;
  private ready = false;
  private cached: StoredMessage | undefined;
  private held: Set<string> | undefined;
  private quarantineTable = false;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  /**
   * Brings the schema to the current version and returns true; or, with `create` false, returns false for an
   * object that never stored anything. A new object's schema is created by its first change, in the same
   * commit as its first events: every commit is a disk sync, and a message's first callback waits for them.
   */
  open(create = false): boolean {
    if (this.ready) return true;
    const tables = existingTables(this.sql);
    if (!create && versionOf(this.sql, tables) === 0) return false;
    this.storage.transactionSync(() => migrate(this.sql));
    this.quarantineTable = tables.has(QUARANTINE_TABLE);
    this.ready = true;
    return true;
  }

  /** The message (its state and events), read once and kept. */
  message(): StoredMessage {
    this.cached ??= loadMessage(this.sql);
    return this.cached;
  }

  /** The message id, without reading storage (undefined before the message was read). */
  cachedId(): string | undefined {
    return this.cached?.state?.header.id;
  }

  /** Whether this message has a quarantine table (it holds, or held, an event). */
  hasQuarantine(): boolean {
    return this.quarantineTable;
  }

  /** Looks at the tables again: an operator's call, rare, need not trust what this instance saw. */
  refreshQuarantine(): boolean {
    this.quarantineTable = existingTables(this.sql).has(QUARANTINE_TABLE);
    this.held = undefined;
    return this.quarantineTable;
  }

  /** Ids of the events held in quarantine now (a live set: changes update it). */
  heldIds(): Set<string> {
    this.held ??= this.quarantineTable ? heldIds(this.sql) : new Set();
    return this.held;
  }

  /** The events held in quarantine, oldest first. */
  heldEvents(): QuarantineRecord[] {
    return this.quarantineTable ? heldEvents(this.sql) : [];
  }

  /** The time of the message's last activity, or undefined before its first. */
  lastActivity(): number | undefined {
    return lastActivity(this.sql);
  }

  /**
   * Applies `update` to the message (it may also write the quarantine table through `sql`) and writes it back,
   * in one transaction; `update` returns its result and the time of the activity to record, if any.
   */
  change<T>(update: (message: StoredMessage, sql: SqlStorage) => { result: T; activityAt?: number }): T {
    try {
      return this.storage.transactionSync(() => {
        this.open(true);
        const { result, activityAt } = update(this.message(), this.sql);
        saveMessage(this.sql, this.message(), activityAt);
        return result;
      });
    } catch (error) {
      // Rolled back: a schema created or migrated inside this transaction is gone too, so look again next time.
      this.forget();
      throw error;
    }
  }

  /** Reads from the raw tables (the quarantine table's work, which is not kept in memory). */
  query<T>(read: (sql: SqlStorage) => T): T {
    return read(this.sql);
  }

  /** Runs `write` on the raw tables in one transaction (work on the quarantine table alone). */
  transaction(write: (sql: SqlStorage) => void): void {
    try {
      this.storage.transactionSync(() => write(this.sql));
    } catch (error) {
      this.forget();
      throw error;
    }
  }

  /** Marks the quarantine table as present once a change created it. */
  noteQuarantine(): void {
    this.quarantineTable = true;
  }

  /** Forgets everything kept in memory, to read it again from storage (after a failure or a deletion). */
  forget(): void {
    this.ready = false;
    this.cached = undefined;
    this.held = undefined;
    this.quarantineTable = false;
  }

  /** Deletes the message and everything it stored, alarm included. */
  async deleteAll(): Promise<void> {
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
    this.forget();
  }
}
