/**
 * MessageTracker: one Durable Object per Bandwidth `message.id`. It stores the message's events and state,
 * deduplicates retries, and drains its outbox to the downstream from one alarm. A thin shell over accept.ts,
 * status.ts, outbox.ts and the forward/ modules; the message is one row (tracker-sql.ts), kept parsed in memory
 * between calls and written back whole by every change.
 */
import { DurableObject } from "cloudflare:workers";
import { type Config, readConfig } from "../config.ts";
import { toCloudEvent } from "../forward/cloud-event.ts";
import type { DeadLetterEntry } from "../forward/dead-letter-store.ts";
import { deliverOnce } from "../forward/deliver.ts";
import {
  deadIndexWork,
  nextWake,
  pendingDueAt,
  pendingHead,
  recordAttempt,
  requeue,
} from "../forward/outbox.ts";
import { log } from "../log.ts";
import { acceptEvents } from "./accept.ts";
import type { IdentifiedEvent } from "./status.ts";
import {
  type EventRecord,
  lastActivity,
  loadMessage,
  migrate,
  type StoredMessage,
  saveMessage,
  schemaVersion,
} from "./tracker-sql.ts";
import { type MessageView, toMessageView } from "./view.ts";

/** What one ingest call did. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** How long one alarm run may keep draining before it hands over to the next alarm. */
const DRAIN_BUDGET_MS = 25_000;
/** Backoffs up to this long are waited inside the running alarm instead of relying on a re-armed alarm. */
const INLINE_WAIT_MS = 2_000;
/** How long to wait before retrying a failed DeadLetters index update. */
const INDEX_RETRY_MS = 10_000;
/** How long to wait before looking again when the configuration is broken. */
const CONFIG_RETRY_MS = 60_000;

export class MessageTracker extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private schemaReady = false;
  private draining = false;
  private indexRetryAt = 0;
  /** The stored message, parsed; undefined until read. Every change goes through {@link change}. */
  private cached: StoredMessage | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
  }

  /**
   * Brings the schema to the current version and returns true; or, with `create` false, returns false for an
   * object that never stored anything. A new object's schema is created by its first ingest, in the same
   * commit as its first events: every commit is a disk sync, and a message's first callback waits for them.
   */
  private ensureSchema(create: boolean): boolean {
    if (this.schemaReady) return true;
    if (!create && schemaVersion(this.sql) === 0) return false;
    this.ctx.storage.transactionSync(() => migrate(this.sql));
    this.schemaReady = true;
    return true;
  }

  private message(): StoredMessage {
    this.cached ??= loadMessage(this.sql);
    return this.cached;
  }

  /**
   * Applies `update` to the message and writes it back, in one transaction; `update` returns its result and
   * the time of the activity to record, if any. A failed change leaves nothing behind, in storage or here.
   */
  private change<T>(update: (message: StoredMessage) => { result: T; activityAt?: number }): T {
    try {
      return this.ctx.storage.transactionSync(() => {
        this.ensureSchema(true);
        const message = this.message();
        const { result, activityAt } = update(message);
        saveMessage(this.sql, message, activityAt);
        return result;
      });
    } catch (error) {
      // Rolled back: a schema created or migrated inside this transaction is gone too, so look again next time.
      this.cached = undefined;
      this.schemaReady = false;
      throw error;
    }
  }

  /**
   * Stores the new events of this message in one transaction and arms the outbox. The caller's 200 depends on
   * this promise: it resolves only once the writes are durable (the output gate holds the reply until then).
   */
  async ingest(batch: IdentifiedEvent[]): Promise<IngestResult> {
    const now = Date.now();
    const outcome = this.change((message) => {
      const result = acceptEvents(message, batch, now);
      return { result, activityAt: result.accepted > 0 ? now : undefined };
    });
    // A running drain forwards the new events too, and re-arms the alarm when it ends: moving the alarm now
    // would only cost two more writes.
    if (!this.draining) await this.scheduleAlarm();
    batch.forEach(({ eventId, event }, index) => {
      log("info", outcome.duplicate[index] ? "event_duplicate" : "event_stored", {
        messageId: event.message.id,
        eventId,
        type: event.type,
      });
    });
    return { accepted: outcome.accepted, duplicates: batch.length - outcome.accepted };
  }

  /** The message's state and history, or null if this receiver has never accepted an event for it. */
  async snapshot(): Promise<MessageView | null> {
    if (!this.ensureSchema(false)) return null;
    const { state, events } = this.message();
    if (!state) return null;
    await this.scheduleAlarm();
    return toMessageView(state, events);
  }

  /** Forwards again the dead events (or, with `all`, every event), keeping their ids and sequences. */
  async redeliver(scope: "dead" | "all"): Promise<{ found: boolean; redelivered: number }> {
    if (!this.ensureSchema(false) || !this.message().state) return { found: false, redelivered: 0 };
    const now = Date.now();
    const redelivered = this.change((message) => ({
      result: requeue(message.events, scope, now),
      activityAt: now,
    }));
    await this.scheduleAlarm();
    return { found: true, redelivered };
  }

  /** The single alarm: index work, then the outbox in sequence order, then retention. Idempotent. */
  override async alarm(): Promise<void> {
    if (!this.ensureSchema(false) || this.draining) return;
    this.draining = true;
    try {
      const config = readConfig(this.env);
      if (!config.ok) {
        log("error", "forward_blocked_by_config", {
          settings: config.problems.map((p) => p.setting).join(","),
        });
        await this.ctx.storage.setAlarm(Date.now() + CONFIG_RETRY_MS);
        return;
      }
      await this.syncDeadLetterIndex();
      await this.drain(config.config);
      if (await this.expireIfDue(config.config)) return;
    } finally {
      this.draining = false;
    }
    await this.scheduleAlarm();
  }

  private async drain(config: Config): Promise<void> {
    const stopAt = Date.now() + DRAIN_BUDGET_MS;
    for (let head = pendingHead(this.message().events); head; head = pendingHead(this.message().events)) {
      const wait = (head.nextAttemptAt ?? 0) - Date.now();
      if (wait > 0) {
        if (wait > INLINE_WAIT_MS || Date.now() + wait > stopAt) return;
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      if (Date.now() > stopAt) return;
      if ((await this.attempt(head, config)) === "dead") await this.syncDeadLetterIndex();
    }
  }

  /** One forward attempt of the head event; returns what became of it, or undefined if it changed meanwhile. */
  private async attempt(
    head: EventRecord,
    config: Config,
  ): Promise<"delivered" | "retry" | "dead" | undefined> {
    const { event, eventId, seq, attempts } = head;
    const body = JSON.stringify(
      toCloudEvent(event, { id: eventId, sequence: seq, status: head.statusAfter }),
    );
    const report = await deliverOnce(config.downstream, eventId, body);
    // The object took other calls during the fetch: act only if the event is still the attempt we made.
    const current = this.message().events.find((record) => record.seq === seq);
    if (current?.forwardState !== "pending" || current.attempts !== attempts) return undefined;
    const now = Date.now();
    const verdict = this.change(() => ({
      result: recordAttempt(current, report.outcome, config.retry, now),
      activityAt: now,
    }));
    log(verdict === "delivered" ? "info" : "warn", "forward_attempt", {
      messageId: event.message.id,
      eventId,
      sequence: seq,
      attempt: attempts + 1,
      outcome: verdict,
      status: report.outcome.kind === "response" ? report.outcome.status : report.outcome.kind,
      latencyMs: report.latencyMs,
    });
    return verdict;
  }

  /** Tells the DeadLetters index about events that died or were redelivered; retried later if it fails. */
  private async syncDeadLetterIndex(): Promise<void> {
    const { state, events } = this.message();
    const records = deadIndexWork(events);
    if (records.length === 0 || Date.now() < this.indexRetryAt) return;
    const work = records.map((record) => ({ seq: record.seq, deadIndex: record.deadIndex }));
    const messageId = state?.header.id ?? "";
    const added: DeadLetterEntry[] = records
      .filter((record) => record.deadIndex === "add")
      .map((record) => ({
        eventId: record.eventId,
        messageId,
        sequence: record.seq,
        type: record.event.type,
        attempts: record.attempts,
        lastError: record.lastError ?? "",
        deadAt: Date.now(),
      }));
    const removed = records.filter((record) => record.deadIndex === "remove").map((record) => record.eventId);
    try {
      await this.env.DEAD_LETTERS.getByName("global").update(added, removed);
    } catch (error) {
      this.indexRetryAt = Date.now() + INDEX_RETRY_MS;
      log("error", "dead_letter_index_failed", { messageId, error: String(error).slice(0, 200) });
      return;
    }
    // Only clear what was sent: an event re-marked meanwhile keeps its new work.
    this.change((message) => {
      for (const { seq, deadIndex } of work) {
        const record = message.events.find((candidate) => candidate.seq === seq);
        if (record?.deadIndex === deadIndex) record.deadIndex = null;
      }
      return { result: undefined };
    });
  }

  private async expireIfDue(config: Config): Promise<boolean> {
    if (!this.isExpired(config)) return false;
    if (this.message().events.some((record) => record.forwardState === "dead")) {
      this.change((message) => {
        for (const record of message.events) if (record.forwardState === "dead") record.deadIndex = "remove";
        return { result: undefined };
      });
      await this.syncDeadLetterIndex();
    }
    // The index update left the object: an event accepted meanwhile must not be deleted with the rest.
    if (deadIndexWork(this.message().events).length > 0 || !this.isExpired(config)) return false;
    log("info", "message_expired", { messageId: this.message().state?.header.id ?? "" });
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.schemaReady = false;
    this.cached = undefined;
    return true;
  }

  /** Whether nothing is pending and the last activity is older than the retention period. */
  private isExpired(config: Config): boolean {
    if (pendingDueAt(this.message().events) !== undefined) return false;
    const updatedAt = lastActivity(this.sql);
    return updatedAt !== undefined && Date.now() >= updatedAt + config.retentionMs;
  }

  /** Sets the one alarm to the earliest due work, re-arming it whenever it is missing. */
  private async scheduleAlarm(): Promise<void> {
    const { events } = this.message();
    const headDueAt = pendingDueAt(events);
    // The last activity only matters for retention, once nothing is pending.
    const updatedAt = headDueAt === undefined ? lastActivity(this.sql) : 0;
    if (updatedAt === undefined) return;
    const config = readConfig(this.env);
    const wake = nextWake({
      headDueAt,
      hasIndexWork: deadIndexWork(events).length > 0,
      indexRetryAt: this.indexRetryAt,
      updatedAt,
      retentionMs: config.ok ? config.config.retentionMs : CONFIG_RETRY_MS,
    });
    // Work already due (or overdue) runs now: setAlarm refuses times <= 0.
    const due = Math.max(wake, Date.now());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due || current < Date.now()) await this.ctx.storage.setAlarm(due);
  }
}
