/**
 * MessageTracker: one Durable Object per Bandwidth `message.id`. It stores the message's events and state,
 * deduplicates retries, and drains its outbox to the downstream from one alarm. A thin shell over status.ts,
 * outbox.ts and the forward/ modules.
 */
import { DurableObject } from "cloudflare:workers";
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import { type Config, readConfig } from "../config.ts";
import { toCloudEvent } from "../forward/cloud-event.ts";
import type { DeadLetterEntry } from "../forward/dead-letter-store.ts";
import { deliverOnce } from "../forward/deliver.ts";
import {
  attemptState,
  deadIndexWork,
  hasDeadIndexWork,
  nextWake,
  pendingDueAt,
  pendingHead,
  recordAttempt,
  requeue,
} from "../forward/outbox.ts";
import { log } from "../log.ts";
import { type IdentifiedEvent, join, type MessageState, recipientStatus, stateOfEvent } from "./status.ts";
import { type EventRow, migrate, schemaVersion } from "./tracker-sql.ts";
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
  /** The stored state, kept in memory between calls (undefined: not read yet); every write goes through here. */
  private cachedState: { value: MessageState | undefined } | undefined;

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

  /**
   * Stores the new events of this message in one transaction and arms the outbox. The caller's 200 depends on
   * this promise: it resolves only once the writes are durable (the output gate holds the reply until then).
   */
  async ingest(batch: IdentifiedEvent[]): Promise<IngestResult> {
    const now = Date.now();
    const stored = this.ctx.storage.transactionSync(() => {
      this.ensureSchema(true);
      return this.store(batch, now);
    });
    this.cachedState = { value: stored.state };
    // A running drain forwards the new events too, and re-arms the alarm when it ends: moving the alarm now
    // would only cost two more writes.
    if (!this.draining) await this.scheduleAlarm();
    batch.forEach(({ eventId, event }, index) => {
      log("info", stored.duplicate[index] ? "event_duplicate" : "event_stored", {
        messageId: event.message.id,
        eventId,
        type: event.type,
      });
    });
    return { accepted: stored.accepted, duplicates: batch.length - stored.accepted };
  }

  /** Stores the batch's new events; `duplicate[i]` tells whether `batch[i]` was already stored. */
  private store(
    batch: IdentifiedEvent[],
    now: number,
  ): { accepted: number; duplicate: boolean[]; state: MessageState | undefined } {
    let state = this.loadState();
    let accepted = 0;
    const duplicate: boolean[] = [];
    for (const item of batch) {
      // No index on event_id (see tracker-sql.ts): a message has a handful of events, all in one page.
      const known = this.sql.exec(
        "UPDATE events SET duplicates = duplicates + 1 WHERE event_id = ?",
        item.eventId,
      );
      duplicate.push(known.rowsWritten > 0);
      if (known.rowsWritten > 0) continue;
      const single = stateOfEvent(item);
      state = state ? join(state, single) : single;
      this.sql.exec(
        `INSERT INTO events (event_id, instant, payload, status_after, accepted_at, retry_since,
         forward_state, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`,
        item.eventId,
        single.header.instant,
        JSON.stringify(item.event),
        recipientStatus(state.recipients[item.event.to]),
        now,
        now,
        now,
      );
      accepted++;
    }
    if (state && accepted > 0) this.saveState(state, now);
    return { accepted, duplicate, state };
  }

  /** The message's state and history, or null if this receiver has never accepted an event for it. */
  async snapshot(): Promise<MessageView | null> {
    if (!this.ensureSchema(false)) return null;
    const state = this.loadState();
    if (!state) return null;
    const rows = this.sql.exec<EventRow>("SELECT * FROM events ORDER BY instant, seq").toArray();
    await this.scheduleAlarm();
    return toMessageView(state, rows);
  }

  /** Forwards again the dead events (or, with `all`, every event), keeping their ids and sequences. */
  async redeliver(scope: "dead" | "all"): Promise<{ found: boolean; redelivered: number }> {
    if (!this.ensureSchema(false) || !this.loadState()) return { found: false, redelivered: 0 };
    const now = Date.now();
    const redelivered = this.ctx.storage.transactionSync(() => {
      this.touch(now);
      return requeue(this.sql, scope, now);
    });
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
    for (let head = pendingHead(this.sql); head; head = pendingHead(this.sql)) {
      const wait = (head.next_attempt_at ?? 0) - Date.now();
      if (wait > 0) {
        if (wait > INLINE_WAIT_MS || Date.now() + wait > stopAt) return;
        await new Promise((resolve) => setTimeout(resolve, wait));
        continue;
      }
      if (Date.now() > stopAt) return;
      if ((await this.attempt(head, config)) === "dead") await this.syncDeadLetterIndex();
    }
  }

  /** One forward attempt of the head event; returns what became of it, or undefined if the row changed meanwhile. */
  private async attempt(head: EventRow, config: Config): Promise<"delivered" | "retry" | "dead" | undefined> {
    const event = JSON.parse(head.payload) as BandwidthEventOutput;
    const body = JSON.stringify(
      toCloudEvent(event, { id: head.event_id, sequence: head.seq, status: head.status_after }),
    );
    const report = await deliverOnce(config.downstream, head.event_id, body);
    // The object took other calls during the fetch: act only if the row is still the attempt we made (a
    // pending row is never requeued, so the rest of `head` is still current then).
    const current = attemptState(this.sql, head.seq);
    if (current?.forward_state !== "pending" || current.attempts !== head.attempts) return undefined;
    const now = Date.now();
    const verdict = this.ctx.storage.transactionSync(() => {
      this.touch(now);
      return recordAttempt(this.sql, head, report.outcome, config.retry, now);
    });
    log(verdict === "delivered" ? "info" : "warn", "forward_attempt", {
      messageId: event.message.id,
      eventId: head.event_id,
      sequence: head.seq,
      attempt: head.attempts + 1,
      outcome: verdict,
      status: report.outcome.kind === "response" ? report.outcome.status : report.outcome.kind,
      latencyMs: report.latencyMs,
    });
    return verdict;
  }

  /** Tells the DeadLetters index about events that died or were redelivered; retried later if it fails. */
  private async syncDeadLetterIndex(): Promise<void> {
    if (Date.now() < this.indexRetryAt || !hasDeadIndexWork(this.sql)) return;
    const work = deadIndexWork(this.sql);
    const state = this.loadState();
    const messageId = state?.header.id ?? "";
    const added: DeadLetterEntry[] = work
      .filter((row) => row.dead_index === "add")
      .map((row) => ({
        eventId: row.event_id,
        messageId,
        sequence: row.seq,
        type: (JSON.parse(row.payload) as BandwidthEventOutput).type,
        attempts: row.attempts,
        lastError: row.last_error ?? "",
        deadAt: Date.now(),
      }));
    const removed = work.filter((row) => row.dead_index === "remove").map((row) => row.event_id);
    try {
      await this.env.DEAD_LETTERS.getByName("global").update(added, removed);
    } catch (error) {
      this.indexRetryAt = Date.now() + INDEX_RETRY_MS;
      log("error", "dead_letter_index_failed", { messageId, error: String(error).slice(0, 200) });
      return;
    }
    // Only clear what was sent: a row re-marked meanwhile keeps its new work.
    for (const row of work) {
      this.sql.exec(
        "UPDATE events SET dead_index = NULL WHERE event_id = ? AND dead_index = ?",
        row.event_id,
        row.dead_index,
      );
    }
  }

  private async expireIfDue(config: Config): Promise<boolean> {
    if (!this.isExpired(config)) return false;
    const dead = this.sql.exec("UPDATE events SET dead_index = 'remove' WHERE forward_state = 'dead'");
    if (dead.rowsWritten > 0) await this.syncDeadLetterIndex();
    // The index update left the object: an event accepted meanwhile must not be deleted with the rest.
    if (hasDeadIndexWork(this.sql) || !this.isExpired(config)) return false;
    log("info", "message_expired", { messageId: this.loadState()?.header.id ?? "" });
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.schemaReady = false;
    this.cachedState = undefined;
    return true;
  }

  /** Whether nothing is pending and the last activity is older than the retention period. */
  private isExpired(config: Config): boolean {
    if (pendingDueAt(this.sql) !== undefined) return false;
    const updatedAt = this.updatedAt();
    return updatedAt !== undefined && Date.now() >= updatedAt + config.retentionMs;
  }

  /** Sets the one alarm to the earliest due work, re-arming it whenever it is missing. */
  private async scheduleAlarm(): Promise<void> {
    const headDueAt = pendingDueAt(this.sql);
    // The last activity only matters for retention, once nothing is pending.
    const updatedAt = headDueAt === undefined ? this.updatedAt() : 0;
    if (updatedAt === undefined) return;
    const config = readConfig(this.env);
    const wake = nextWake({
      headDueAt,
      hasIndexWork: hasDeadIndexWork(this.sql),
      indexRetryAt: this.indexRetryAt,
      updatedAt,
      retentionMs: config.ok ? config.config.retentionMs : CONFIG_RETRY_MS,
    });
    // Work already due (or overdue) runs now: setAlarm refuses times <= 0.
    const due = Math.max(wake, Date.now());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due || current < Date.now()) await this.ctx.storage.setAlarm(due);
  }

  private loadState(): MessageState | undefined {
    if (this.cachedState) return this.cachedState.value;
    const json = this.sql
      .exec<{ json: string | null }>("SELECT json FROM state WHERE id = 1")
      .toArray()[0]?.json;
    const value = json ? (JSON.parse(json) as MessageState) : undefined;
    this.cachedState = { value };
    return value;
  }

  private saveState(state: MessageState, now: number): void {
    this.sql.exec("UPDATE state SET json = ?, updated_at = ? WHERE id = 1", JSON.stringify(state), now);
  }

  private touch(now: number): void {
    this.sql.exec("UPDATE state SET updated_at = ? WHERE id = 1", now);
  }

  private updatedAt(): number | undefined {
    const row = this.sql
      .exec<{ updated_at: number | null }>("SELECT updated_at FROM state WHERE id = 1")
      .toArray();
    return row[0]?.updated_at ?? undefined;
  }
}
