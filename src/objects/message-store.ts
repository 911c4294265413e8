/**
 * A MessageTracker's storage: its schema's lifecycle, the message kept parsed in memory between calls, the ids
 * it holds in quarantine, and the one way to change them: {@link MessageStore.change}, a transaction that
 * writes the message back whole and leaves nothing behind (in storage or in memory) when it fails.
 *
 * Successful deliveries are the exception: {@link MessageStore.noteDelivered} records one in memory only, and
 * the next write of the message (a callback, a failure, or the {@link MessageStore.flush} that ends each
 * forwarding run's drain) carries it. A drain's forwards then cost one write together instead of one each, and a
 * message's destinations never wait on each other's commits. A delivery noted but never written (the object
 * restarted before the drain ended) is forwarded once more under the same id: the at-least-once retry the
 * contract allows.
 */
import { type IndexPlacement, samePlacement } from "../message/index-placement.ts";
import type { Delivery, QuarantineRecord, StoredMessage } from "../message/records.ts";
import { existingTables, fromRecord, migrate, saveMessage } from "./message-sql.ts";
import { heldEvents, heldIds, QUARANTINE_TABLE } from "./quarantine-sql.ts";

/** One Durable Object's message, as stored. */
export class MessageStore {
  private readonly storage: DurableObjectStorage;
  private readonly sql: SqlStorage;
  private ready = false;
  private cached: StoredMessage | undefined;
  /** The time of the message's last activity, as stored (read with the message). */
  private updatedAt: number | undefined;
  private held: Set<string> | undefined;
  private quarantineTable = false;
  /** Deliveries noted in memory and not written yet, re-applied if the message is read again meanwhile. */
  private notes: DeliveryNote[] = [];
  /** Since when the message in memory holds changes that storage does not (undefined: none). */
  private unsavedSince: number | undefined;
  /** The time of the latest noted delivery: the activity its write records. */
  private notedAt = 0;

  constructor(storage: DurableObjectStorage) {
    this.storage = storage;
    this.sql = storage.sql;
  }

  /**
   * Reads the message (migrating an older layout) and returns true; or, with `create` false, returns false for
   * an object that never stored anything. A new object writes nothing until its first change, whose one write
   * is its first events.
   */
  open(create = false): boolean {
    if (this.ready) return true;
    const record = this.storage.transactionSync(() => migrate(this.storage));
    if (!record && !create) return false;
    this.quarantineTable = existingTables(this.sql).has(QUARANTINE_TABLE);
    const loaded = fromRecord(record);
    this.cached = loaded.message;
    this.updatedAt = loaded.updatedAt;
    this.notes = reapplyNotes(this.cached, this.notes);
    this.ready = true;
    return true;
  }

  /** The message (its state and events), read once and kept. */
  message(): StoredMessage {
    if (!this.cached) this.open(true);
    if (!this.cached) throw new Error("the message could not be read");
    return this.cached;
  }

  /**
   * Applies `record` (the successful attempt) to the pending delivery of event `seq` to `destination`, in memory
   * only: the next change or {@link flush} writes it. Returns what `record` returns.
   */
  noteDelivered<T>(seq: number, destination: string, now: number, record: (delivery: Delivery) => T): T {
    const delivery = this.message().events.find((event) => event.seq === seq)?.deliveries[destination];
    if (!delivery) throw new Error(`no delivery of event ${seq} to ${destination}`);
    const attemptsBefore = delivery.attempts;
    const result = record(delivery);
    this.notes.push({ seq, destination, attemptsBefore, after: { ...delivery } });
    this.unsavedSince ??= now;
    this.notedAt = Math.max(this.notedAt, now);
    return result;
  }

  /**
   * Sets where the message's index rows live, in memory: `durable` marks it unsaved, so that the next change or
   * {@link flush} writes it (a placement must be stored before a write uses it); otherwise it only waits for the
   * next write (a placement narrowed after a successful write).
   */
  notePlacement(placement: IndexPlacement, durable: boolean): void {
    const message = this.message();
    if (samePlacement(message.index, placement)) return;
    message.index = placement;
    if (durable) this.unsavedSince ??= Date.now();
  }

  /** Since when the message in memory holds changes not written yet, or undefined. */
  unsavedChangesSince(): number | undefined {
    return this.unsavedSince;
  }

  /** Writes what is only in memory (noted deliveries, duplicate counts); nothing when there is none. */
  flush(): void {
    if (this.unsavedSince !== undefined) this.change(() => ({ result: undefined }));
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
    if (!this.cached) this.open(true);
    return this.updatedAt;
  }

  /**
   * Applies `update` to the message (it may also write the quarantine table through `sql`) and writes it back,
   * with every delivery noted in memory, in one transaction; `update` returns its result and the time of the
   * activity to record, if any, or `unchanged` (with the time `at`) when it only changed counters that can wait.
   */
  change<T>(
    update: (
      message: StoredMessage,
      sql: SqlStorage,
    ) => { result: T; activityAt?: number; unchanged?: boolean; at?: number },
  ): T {
    try {
      return this.storage.transactionSync(() => {
        this.open(true);
        const { result, activityAt, unchanged, at } = update(this.message(), this.sql);
        if (unchanged) {
          // Only counters changed (a duplicate's): written with the next write, not worth a commit of its own.
          this.unsavedSince ??= at ?? Date.now();
          return result;
        }
        const noted = this.notes.length > 0 ? this.notedAt : undefined;
        const activity = activityAt === undefined ? noted : Math.max(activityAt, noted ?? 0);
        // Never backwards: a change computed before an await may record an older time than one made meanwhile.
        const updatedAt = activity === undefined ? this.updatedAt : Math.max(activity, this.updatedAt ?? 0);
        saveMessage(this.storage, this.message(), updatedAt);
        this.updatedAt = updatedAt;
        this.notes = [];
        this.unsavedSince = undefined;
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
    this.updatedAt = undefined;
    this.held = undefined;
    this.quarantineTable = false;
  }

  /** Deletes the message and everything it stored, alarm included. */
  async deleteAll(): Promise<void> {
    await this.storage.deleteAlarm();
    await this.storage.deleteAll();
    this.notes = [];
    this.unsavedSince = undefined;
    this.forget();
  }
}

/** A successful delivery applied in memory and not written yet. */
interface DeliveryNote {
  seq: number;
  destination: string;
  /** The delivery's attempts before it: the note applies only to the delivery it was taken on. */
  attemptsBefore: number;
  after: Delivery;
}

/**
 * Applies the notes to a message read again from storage (after a failed change, say), keeping those that
 * applied: a delivery that changed meanwhile (redelivered, died) is left as storage has it.
 */
function reapplyNotes(message: StoredMessage, notes: readonly DeliveryNote[]): DeliveryNote[] {
  return notes.filter((note) => {
    const record = message.events.find((event) => event.seq === note.seq);
    const delivery = record?.deliveries[note.destination];
    if (!record || delivery?.state !== "pending" || delivery.attempts !== note.attemptsBefore) return false;
    record.deliveries[note.destination] = { ...note.after };
    return true;
  });
}
