/**
 * MessageTracker: one Durable Object per Bandwidth `message.id`. It stores the message's events and state,
 * deduplicates retries, holds invalid events in quarantine, and drains its outbox to the downstream from one
 * alarm. A thin shell over accept.ts, status.ts, outbox.ts and the forward/ modules; the message is one row
 * (message-sql.ts), kept parsed in memory between calls and written back whole by every change.
 */
import { DurableObject } from "cloudflare:workers";
import { checkEvent } from "../bandwidth/parse.ts";
import type { EventEnvelope } from "../bandwidth/schema.ts";
import { type Config, readConfig } from "../config.ts";
import { toCloudEvent } from "../forward/cloud-event.ts";
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
import { acceptEvents, countOutcomes, type IngestItem, type ItemOutcome } from "../message/accept.ts";
import { alarmRetryDelay } from "../message/alarm-retry.ts";
import type { EventRecord, StoredMessage } from "../message/records.ts";
import { type MessageView, toMessageView } from "../message/view.ts";
import { clearDeadLetterWork, syncDeadLetters, syncQuarantineList } from "./list-sync.ts";
import { existingTables, lastActivity, loadMessage, migrate, saveMessage, versionOf } from "./message-sql.ts";
import {
  countHeldDuplicates,
  createQuarantineTable,
  forgetAll,
  heldEvents,
  heldIds,
  holdEvents,
  QUARANTINE_TABLE,
  quarantineWork,
  releaseEvents,
} from "./quarantine-sql.ts";

/** What one ingest or release call did, with the issues of each quarantined event by its batch position. */
export interface IngestResult {
  accepted: number;
  duplicates: number;
  quarantined: number;
  issues: Array<{ position: number; path: string; message: string }>;
}

/** The steps of an alarm where a failure is possible; tests inject one at each through {@link faultPoint}. */
export type AlarmStep = "lists" | "deliver" | "record" | "expire" | "schedule";

/** How long one alarm run may keep draining before it hands over to the next alarm. */
const DRAIN_BUDGET_MS = 25_000;
/** Backoffs up to this long are waited inside the running alarm instead of relying on a re-armed alarm. */
const INLINE_WAIT_MS = 2_000;
/** How long to wait before retrying a failed update of a list across messages. */
const LIST_RETRY_MS = 10_000;
/** How long to wait before looking again when the configuration is broken. */
const CONFIG_RETRY_MS = 60_000;

export class MessageTracker extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private schemaReady = false;
  private draining = false;
  private listRetryAt = 0;
  private alarmFailures = 0;
  /** The stored message, parsed; undefined until read. Every change goes through {@link change}. */
  private cached: StoredMessage | undefined;
  /** Ids of the events held in quarantine; undefined until read. */
  private held: Set<string> | undefined;
  private hasQuarantine = false;

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
    const tables = existingTables(this.sql);
    if (!create && versionOf(this.sql, tables) === 0) return false;
    this.ctx.storage.transactionSync(() => migrate(this.sql));
    this.hasQuarantine = tables.has(QUARANTINE_TABLE);
    this.schemaReady = true;
    return true;
  }

  private message(): StoredMessage {
    this.cached ??= loadMessage(this.sql);
    return this.cached;
  }

  private heldIds(): Set<string> {
    this.held ??= this.hasQuarantine ? heldIds(this.sql) : new Set();
    return this.held;
  }

  /**
   * Applies `update` to the message and writes it back, in one transaction; `update` returns its result and
   * the time of the activity to record, if any. A failed change leaves nothing behind, in storage or here.
   */
  private change<T>(update: (message: StoredMessage) => { result: T; activityAt?: number }): T {
    try {
      return this.ctx.storage.transactionSync(() => {
        this.ensureSchema(true);
        const { result, activityAt } = update(this.message());
        saveMessage(this.sql, this.message(), activityAt);
        return result;
      });
    } catch (error) {
      // Rolled back: a schema created or migrated inside this transaction is gone too, so look again next time.
      this.cached = undefined;
      this.held = undefined;
      this.schemaReady = false;
      throw error;
    }
  }

  /**
   * Stores the new events of this message, and holds its invalid ones in quarantine, in one transaction, and
   * arms the outbox. The caller's 200 depends on this promise: it resolves only once the writes are durable.
   */
  async ingest(batch: IngestItem[]): Promise<IngestResult> {
    const outcomes = this.accept(batch, Date.now());
    // A running drain forwards the new events too, and re-arms the alarm when it ends: moving the alarm now
    // would only cost two more writes.
    if (!this.draining) await this.scheduleAlarm();
    batch.forEach((item, index) => {
      const envelope = item.valid ? item.event : item.raw;
      const kind = outcomes[index]?.kind ?? "duplicate";
      const event =
        kind === "accepted" ? "event_stored" : kind === "duplicate" ? "event_duplicate" : "event_quarantined";
      log(kind === "quarantined" ? "warn" : "info", event, {
        messageId: envelope.message.id,
        eventId: item.eventId,
        type: envelope.type.slice(0, 100),
      });
    });
    return summarize(outcomes);
  }

  /** Accepts a batch (or, `releasing`, the held events) in one transaction, quarantine table included. */
  private accept(batch: readonly IngestItem[], now: number, releasing = false): ItemOutcome[] {
    const outcome = this.change((message) => {
      const held = this.heldIds();
      // Released events are held already: an invalid one stays with its current issues, not as a duplicate.
      const result = acceptEvents(message, batch, { now, held: releasing ? new Set() : held });
      const released = batch.filter(
        (item, i) => held.has(item.eventId) && result.outcomes[i]?.kind === "accepted",
      );
      if (result.quarantined.length > 0) {
        createQuarantineTable(this.sql);
        holdEvents(this.sql, result.quarantined);
      }
      if (result.heldDuplicates.length > 0) countHeldDuplicates(this.sql, result.heldDuplicates);
      if (released.length > 0)
        releaseEvents(
          this.sql,
          released.map((item) => item.eventId),
        );
      const changed = result.outcomes.some((item) => item.kind !== "duplicate");
      return { result: { ...result, released, held }, activityAt: changed ? now : undefined };
    });
    if (outcome.quarantined.length > 0) this.hasQuarantine = true;
    for (const item of outcome.released) outcome.held.delete(item.eventId);
    for (const record of outcome.quarantined) outcome.held.add(record.eventId);
    return outcome.outcomes;
  }

  /** The message's state and history, or null if this receiver has never accepted an event for it. */
  async snapshot(): Promise<MessageView | null> {
    if (!this.ensureSchema(false)) return null;
    const { state, events } = this.message();
    if (!state) return null;
    // Touching the object re-arms a lost alarm: no event may wait forever.
    await this.scheduleAlarm();
    return toMessageView(state, events, this.hasQuarantine ? heldEvents(this.sql) : []);
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

  /**
   * Re-validates the held events with the current schemas: the valid ones are accepted exactly as if they had
   * just arrived; the others stay, with their current issues. The quarantine list is brought up to date now.
   */
  async releaseQuarantine(): Promise<{ found: boolean; released: number; remaining: number }> {
    if (!this.ensureSchema(false)) return { found: false, released: 0, remaining: 0 };
    // An operator's call, rare: look at the tables again rather than trust what this instance saw.
    this.hasQuarantine = existingTables(this.sql).has(QUARANTINE_TABLE);
    this.held = undefined;
    if (!this.hasQuarantine) return { found: false, released: 0, remaining: 0 };
    const items: IngestItem[] = heldEvents(this.sql).map(({ eventId, raw }) => {
      const checked = checkEvent(raw as EventEnvelope);
      return checked.valid
        ? { eventId, valid: true, event: checked.event }
        : { eventId, valid: false, raw: checked.raw, issues: checked.issues };
    });
    const counts = countOutcomes(this.accept(items, Date.now(), true));
    try {
      await this.syncLists();
    } catch (error) {
      this.listFailed(error);
    }
    if (!this.draining) await this.scheduleAlarm();
    log("info", "quarantine_released", {
      messageId: this.messageId(),
      released: counts.accepted,
      remaining: this.heldIds().size,
    });
    return { found: true, released: counts.accepted, remaining: this.heldIds().size };
  }

  /** The single alarm: list work, then the outbox in sequence order, then retention. Idempotent. */
  override async alarm(): Promise<void> {
    if (!this.ensureSchema(false) || this.draining) return;
    this.draining = true;
    let notBefore = 0;
    try {
      const config = readConfig(this.env);
      if (!config.ok) {
        log("error", "forward_blocked_by_config", {
          settings: config.problems.map((p) => p.setting).join(","),
        });
        notBefore = Date.now() + CONFIG_RETRY_MS;
      } else {
        await this.syncListsUnlessWaiting();
        await this.drain(config.config);
        if (await this.expireIfDue(config.config)) return;
      }
      this.alarmFailures = 0;
    } catch (error) {
      // Whatever failed, the next alarm is set below while work remains: the platform retries a throwing
      // alarm only a few times.
      this.alarmFailures += 1;
      notBefore = Date.now() + alarmRetryDelay(this.alarmFailures);
      this.cached = undefined;
      this.held = undefined;
      this.schemaReady = false;
      log("error", "alarm_failed", {
        messageId: this.messageId(),
        failures: this.alarmFailures,
        error: String(error).slice(0, 200),
      });
    } finally {
      this.draining = false;
    }
    await this.rearm(notBefore);
  }

  /** Sets the next alarm after a run; if even that fails, a plain retry alarm, then the platform's own retry. */
  private async rearm(notBefore: number): Promise<void> {
    try {
      this.faultPoint("schedule");
      if (this.ensureSchema(false)) await this.scheduleAlarm(notBefore);
    } catch (error) {
      this.alarmFailures += 1;
      log("error", "alarm_rearm_failed", { messageId: this.messageId(), error: String(error).slice(0, 200) });
      await this.ctx.storage.setAlarm(Date.now() + alarmRetryDelay(this.alarmFailures));
    }
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
      if ((await this.attempt(head, config)) === "dead") await this.syncListsUnlessWaiting();
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
    this.faultPoint("deliver");
    const report = await deliverOnce(config.downstream, eventId, body);
    // The object took other calls during the fetch: act only if the event is still the attempt we made.
    const current = this.message().events.find((record) => record.seq === seq);
    if (current?.forwardState !== "pending" || current.attempts !== attempts) return undefined;
    const now = Date.now();
    this.faultPoint("record");
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

  /** Brings the lists across messages up to date, unless a failed update is still waiting for its retry. */
  private async syncListsUnlessWaiting(): Promise<void> {
    if (Date.now() < this.listRetryAt) return;
    try {
      await this.syncLists();
    } catch (error) {
      this.listFailed(error);
    }
  }

  /** Sends the DeadLetters and QuarantineList work recorded in storage, clearing only what was sent. */
  private async syncLists(): Promise<void> {
    const messageId = this.messageId();
    this.faultPoint("lists");
    const sent = await syncDeadLetters(this.env, messageId, this.message(), Date.now());
    if (sent.length > 0) this.change((message) => ({ result: clearDeadLetterWork(message, sent) }));
    if (this.hasQuarantine) {
      await syncQuarantineList(this.env, this.sql, messageId, (write) =>
        this.ctx.storage.transactionSync(write),
      );
    }
  }

  private listFailed(error: unknown): void {
    this.listRetryAt = Date.now() + LIST_RETRY_MS;
    log("error", "list_update_failed", { messageId: this.messageId(), error: String(error).slice(0, 200) });
  }

  private async expireIfDue(config: Config): Promise<boolean> {
    if (!this.isExpired(config)) return false;
    this.change((message) => {
      for (const record of message.events) if (record.forwardState === "dead") record.deadIndex = "remove";
      if (this.hasQuarantine) forgetAll(this.sql);
      return { result: undefined };
    });
    await this.syncLists();
    // The list updates left the object: an event accepted meanwhile must not be deleted with the rest.
    if (this.hasListWork() || !this.isExpired(config)) return false;
    log("info", "message_expired", { messageId: this.messageId() });
    this.faultPoint("expire");
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.schemaReady = false;
    this.cached = undefined;
    this.held = undefined;
    this.hasQuarantine = false;
    return true;
  }

  /** Whether nothing is pending and the last activity is older than the retention period. */
  private isExpired(config: Config): boolean {
    if (pendingDueAt(this.message().events) !== undefined) return false;
    const updatedAt = lastActivity(this.sql);
    return updatedAt !== undefined && Date.now() >= updatedAt + config.retentionMs;
  }

  private hasListWork(): boolean {
    return (
      deadIndexWork(this.message().events).length > 0 ||
      (this.hasQuarantine && quarantineWork(this.sql).length > 0)
    );
  }

  /** The message id, without reading storage (it is also the object's name). */
  private messageId(): string {
    return this.cached?.state?.header.id ?? this.ctx.id.name ?? "";
  }

  /** Sets the one alarm to the earliest due work (not before `notBefore`), re-arming it whenever it is missing. */
  private async scheduleAlarm(notBefore = 0): Promise<void> {
    const { events } = this.message();
    const headDueAt = pendingDueAt(events);
    // The last activity only matters for retention, once nothing is pending.
    const updatedAt = headDueAt === undefined ? lastActivity(this.sql) : 0;
    if (updatedAt === undefined) return;
    const config = readConfig(this.env);
    const wake = nextWake({
      headDueAt,
      hasIndexWork: this.hasListWork(),
      indexRetryAt: this.listRetryAt,
      updatedAt,
      retentionMs: config.ok ? config.config.retentionMs : CONFIG_RETRY_MS,
    });
    // Work already due (or overdue) runs now: setAlarm refuses times <= 0.
    const due = Math.max(wake, notBefore, Date.now());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due || current < Date.now()) await this.ctx.storage.setAlarm(due);
  }

  /** Where tests inject a failure into a step of the alarm; does nothing otherwise. */
  protected faultPoint(_step: AlarmStep): void {}
}

function summarize(outcomes: readonly ItemOutcome[]): IngestResult {
  const counts = countOutcomes(outcomes);
  return {
    accepted: counts.accepted,
    duplicates: counts.duplicate,
    quarantined: counts.quarantined,
    issues: outcomes.flatMap((outcome, position) =>
      outcome.kind === "quarantined" ? outcome.issues.map((issue) => ({ position, ...issue })) : [],
    ),
  };
}
