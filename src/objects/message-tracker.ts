/**
 * MessageTracker: one Durable Object per Bandwidth `message.id`. It stores the message's events and state,
 * deduplicates retries, holds invalid events in quarantine, and drains its outbox to the destinations: inline,
 * as soon as a callback is stored, with one alarm as the safety net, the retry timer, and the time to write
 * what a burst of callbacks left in memory and the message's index rows (message/wake.ts). A thin shell:
 * storage is message-store.ts, the decisions are accept.ts, outbox.ts, expiry.ts, wake.ts and alarm-retry.ts,
 * the forward is outbox-drain.ts, the lists across messages and the D1 index list-sync.ts. (About 530 lines:
 * every entry point that changes the message, the runs (inline and the alarm's), their failure handling and
 * the one place that sets the alarm stay in one file, so that "every path leaves an alarm set while work
 * remains" can be checked by reading it; the decisions themselves are all in the modules above.)
 */
import { DurableObject } from "cloudflare:workers";
import type { BandwidthEventOutput } from "../bandwidth/schema.ts";
import { readConfig } from "../config.ts";
import { hasPending, pendingDueAt, replayTo, requeue } from "../forward/outbox.ts";
import { shardNames } from "../index-db/shards.ts";
import { inJurisdiction } from "../jurisdiction.ts";
import { log } from "../log.ts";
import { inboundMediaUrls } from "../media/media-step.ts";
import type { MediaSettings } from "../media/settings.ts";
import {
  countOutcomes,
  type IngestItem,
  type IngestResult,
  recheckHeld,
  summarizeOutcomes,
} from "../message/accept.ts";
import { alarmRetryDelay } from "../message/alarm-retry.ts";
import { assertGrowthFits, MessageTooLargeError } from "../message/budget.ts";
import { isExpired, markDeadForListing, markDeadForRemoval } from "../message/expiry.ts";
import { placeMessage } from "../message/index-placement.ts";
import { NO_LOOKUPS } from "../message/reconcile.ts";
import type { StoredMessage } from "../message/records.ts";
import { type MessageView, toMessageView } from "../message/view.ts";
import { nextWake } from "../message/wake.ts";
import {
  dropMedia,
  mediaData,
  mediaRound,
  RECONCILE_KEY,
  type ReconcileMemory,
  reconcileDueAt,
  reconcileRound,
  reconciliationView,
} from "./bandwidth-steps.ts";
import { DeliveryPermits } from "./delivery-permits.ts";
import { isPaused } from "./destination-status-cache.ts";
import { forwardTargets, pausedStaleAt, reportHealth, routeEvent } from "./forward-targets.ts";
import {
  dropFromIndex,
  hasListWork,
  planIndex,
  syncDeadLetters,
  syncIndex,
  syncQuarantineList,
} from "./list-sync.ts";
import { acceptBatch, logOutcome } from "./message-ingest.ts";
import { MessageStore } from "./message-store.ts";
import { type AlarmStep, OutboxDrain } from "./outbox-drain.ts";
import { forgetAll, relistAll } from "./quarantine-sql.ts";

export type { IngestResult } from "../message/accept.ts";
export type { AlarmStep } from "./outbox-drain.ts";

/** How long to wait before retrying a failed update of a list across messages (or the index), first. */
const LIST_RETRY_MS = 10_000;
/** The longest wait between retries of a failing list or index update. */
const LIST_RETRY_MAX_MS = 10 * 60_000;
/**
 * How long a message whose only pending events wait on a paused destination sleeps before looking again, at
 * first: doubling up to PAUSE_RECHECK_MAX_MS, so that a long pause costs each message few alarms.
 */
const PAUSE_RECHECK_MS = 15_000;
const PAUSE_RECHECK_MAX_MS = 5 * 60_000;
/** How long to wait before looking again when the configuration is broken. */
const CONFIG_RETRY_MS = 60_000;

export class MessageTracker extends DurableObject<Env> {
  private readonly store: MessageStore;
  private draining = false;
  /** The run under way (inline or the alarm's), until it has re-armed the alarm. */
  private running: Promise<void> | undefined;
  /** The running alarm's drain while it forwards, told of events accepted meanwhile. */
  private drain: OutboxDrain | undefined;
  /** Events were accepted while the run under way was past its drain: it starts another inline run as it ends. */
  private rerun = false;
  /** Each destination's running drain loop: one at a time per destination, whichever drain started it. */
  private readonly loops = new Map<string, Promise<void>>();
  /** What this message remembers of its reconciliation; undefined until read. */
  private reconciling: ReconcileMemory | undefined;
  private listRetryAt = 0;
  /** Failed list or index updates in a row: their retry backs off. */
  private listFailures = 0;
  /**
   * The activity time the D1 index reflects, kept in memory only: after a restart the index is written once
   * more (harmlessly), and an alarm is armed whenever it lags, so it never stays behind.
   */
  private indexedAt = 0;
  /** The destinations found paused by the last drain: their events wait, and are looked at again later. */
  private paused = new Set<string>();
  /** Alarm runs in a row that found a paused destination: the next look backs off. */
  private pauseChecks = 0;
  private alarmFailures = 0;
  /** The delivery permits held for rate-limited destinations, and when their next slots come. */
  private readonly permits: DeliveryPermits;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, inJurisdiction(env));
    // Applies LOG_LEVEL (src/log.ts) in this isolate before the object writes a line.
    readConfig(this.env);
    this.store = new MessageStore(ctx.storage);
    this.permits = new DeliveryPermits(this.env, () => this.messageId());
  }

  /**
   * Stores the new events of this message, and holds its invalid ones in quarantine, in one transaction, and
   * arms the outbox. The caller's 200 depends on this promise: it resolves only once the writes are durable.
   */
  async ingest(batch: IngestItem[]): Promise<IngestResult> {
    // Read first, so that an alarm that must move is set in the same commit as the events (no await between).
    const alarm = this.draining ? null : await this.ctx.storage.getAlarm();
    const outcomes = acceptBatch(this.store, batch, {
      now: Date.now(),
      ...this.acceptance(),
      place: (message) => placeMessage(message, shardNames(this.env.INDEX_SHARDS)),
    });
    for (const [index, item] of batch.entries()) logOutcome(item, outcomes[index]);
    // A running drain forwards the new events too (kicked, so that no destination's loop waits for another's);
    // a run past its drain starts another inline run as it ends, rather than leaving them to an alarm.
    if (this.draining) {
      if (this.drain) this.drain.kick();
      else this.rerun = true;
      return summarizeOutcomes(outcomes);
    }
    // Otherwise the forward starts now, after this commit (the output gate holds it until then); the alarm,
    // a settle delay away, is its safety net.
    const inline = this.headDueNow();
    const armed = this.arm(alarm, 0, inline);
    if (inline) this.ctx.waitUntil(this.work("inline"));
    await armed;
    return summarizeOutcomes(outcomes);
  }

  /** The message's state and history, or null if this receiver has never accepted an event for it. */
  async snapshot(): Promise<MessageView | null> {
    if (!this.store.open()) return null;
    const { state, events } = this.store.message();
    if (!state) return null;
    // Touching the object re-arms a lost alarm: no event may wait forever.
    await this.scheduleAlarm();
    const view = toMessageView(state, events, this.store.heldEvents());
    const memory = await this.ctx.storage.get<ReconcileMemory>(RECONCILE_KEY);
    if (memory) view.reconciliation = reconciliationView(memory);
    return view;
  }

  /**
   * Forwards again the dead deliveries (or, with `all`, every delivery), of every destination or of one,
   * keeping each event's id and sequence; a removed destination's dead events go to the one named.
   */
  async redeliver(
    scope: "dead" | "all",
    destination?: string,
  ): Promise<{ found: boolean; redelivered: number }> {
    if (!this.store.open() || !this.store.message().state) return { found: false, redelivered: 0 };
    const now = Date.now();
    const configured = this.configuredDestinations();
    const redelivered = this.growing("redeliver", (message) => {
      const count = requeue(message.events, { scope, destination, configured, now });
      assertGrowthFits(message);
      return { result: count, activityAt: now };
    });
    await this.scheduleAlarm();
    return { found: true, redelivered };
  }

  /** Sends every event of the message to `destination` again, in sequence order, same ids (POST /replay). */
  async replay(destination: string): Promise<{ found: boolean; scheduled: number }> {
    if (!this.store.open() || !this.store.message().state) return { found: false, scheduled: 0 };
    const now = Date.now();
    const scheduled = this.growing("replay", (message) => {
      const count = replayTo(message.events, destination, now);
      assertGrowthFits(message);
      return { result: count, activityAt: now };
    });
    if (!this.draining) await this.scheduleAlarm();
    return { found: true, scheduled };
  }

  /**
   * A change that grows the message after acceptance; rolled back (counting 0) when the message would grow
   * past what recording attempts can still afford.
   */
  private growing(
    operation: string,
    update: (message: StoredMessage) => { result: number; activityAt: number },
  ): number {
    try {
      return this.store.change(update);
    } catch (error) {
      if (!(error instanceof MessageTooLargeError)) throw error;
      log("warn", "message_too_large", { messageId: this.messageId(), operation });
      return 0;
    }
  }

  /**
   * Re-validates the held events with the current schemas: the valid ones are accepted exactly as if they had
   * just arrived; the others stay, with their current issues. The quarantine list is brought up to date now.
   */
  async releaseQuarantine(): Promise<{ found: boolean; released: number; remaining: number }> {
    if (!this.store.open() || !this.store.refreshQuarantine())
      return { found: false, released: 0, remaining: 0 };
    const items = recheckHeld(this.store.heldEvents());
    const counts = countOutcomes(
      acceptBatch(this.store, items, { now: Date.now(), ...this.acceptance(), releasing: true }),
    );
    await this.syncLists().catch((error: unknown) => this.listFailed(error));
    if (!this.draining) await this.scheduleAlarm();
    const remaining = this.store.heldIds().size;
    log("info", "quarantine_released", { messageId: this.messageId(), released: counts.accepted, remaining });
    return { found: true, released: counts.accepted, remaining };
  }

  /**
   * The single alarm: list work, the outbox in sequence order, then what waits to be written (noted deliveries,
   * the index rows), then retention. Idempotent.
   */
  override async alarm(): Promise<void> {
    // An inline run under way is waited for: this alarm stays in progress (and is retried by the platform if
    // the object dies) until the forward it guards has ended, then does its own run.
    // (A run fails only when even its fallback alarm could not be set: this alarm then does the work.)
    while (this.running) await this.running.catch(() => undefined);
    await this.work("alarm");
  }

  /**
   * One run of the object's work: from the alarm, or inline right after a callback was stored (which forwards
   * and writes its noted deliveries as its drain ends, leaving the index and retention to the alarm). One run
   * at a time.
   */
  private work(mode: "alarm" | "inline"): Promise<void> {
    if (this.draining) return Promise.resolve();
    const run = this.runWork(mode).finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  private async runWork(mode: "alarm" | "inline"): Promise<void> {
    this.draining = true;
    let notBefore = 0;
    try {
      if (!this.store.open()) return;
      const config = readConfig(this.env);
      if (!config.ok) {
        log("error", "forward_blocked_by_config", {
          settings: config.problems.map((p) => p.setting).join(","),
        });
        notBefore = Date.now() + CONFIG_RETRY_MS;
      } else {
        // What waits in memory is written first: this alarm may have waited for an inline run to end.
        if (mode === "alarm") {
          this.faultPoint("flush");
          this.store.flush();
        }
        const { media } = config.config;
        await mediaRound(this.store, media, Date.now());
        await this.reconcile(media);
        const targets = forwardTargets(this.env, config.config);
        const configured = new Set(targets.map((target) => target.name));
        // Nothing else is awaited before the forwards: each destination's loop asks about its own pause (and
        // ages its own events), and the lists across messages are brought up to date after the drain.
        const paused = new Set<string>();
        this.drain = new OutboxDrain(
          this.store,
          targets,
          {
            faultPoint: (step) => this.faultPoint(step),
            onDead: () => this.syncListsUnlessWaiting(),
            onHealth: (destination, result) => reportHealth(this.env, destination, result),
            extraData: (record) => mediaData(record, media, Date.now()),
            isPaused: (destination) => isPaused(this.env, destination),
            onPaused: (destination) => paused.add(destination),
            permit: (destination, maxPerSecond, pending) =>
              this.permits.take(destination, maxPerSecond, pending),
          },
          this.loops,
        );
        try {
          await this.drain.run(configured);
        } finally {
          // Past this point the run does other work: an event accepted meanwhile is forwarded by the inline run
          // this one starts as it ends (`rerun`), not by a loop.
          this.drain = undefined;
        }
        this.paused = paused;
        // Only the alarm's looks count toward the recheck's backoff: inline runs come with every callback.
        if (paused.size === 0) this.pauseChecks = 0;
        else if (mode === "alarm") this.pauseChecks += 1;
        // The index write below uses a placement the flush must store first.
        if (mode === "alarm" && this.indexLags()) planIndex(this.env, this.store);
        // The deliveries noted during the drain are written as it ends, in one write: a restart after this
        // point sends none of them again (before it, those noted since the drain began).
        this.faultPoint("flush");
        this.store.flush();
        await this.syncListsUnlessWaiting();
        if (mode === "alarm") {
          await this.syncIndexUnlessWaiting();
          if (await this.expireIfDue(config.config.retentionMs)) return;
        }
      }
      this.alarmFailures = 0;
    } catch (error) {
      // Whatever failed, the next alarm is set below while work remains: the platform retries a throwing
      // alarm only a few times.
      this.alarmFailures += 1;
      notBefore = Date.now() + alarmRetryDelay(this.alarmFailures);
      this.store.forget();
      log("error", "alarm_failed", {
        messageId: this.messageId(),
        failures: this.alarmFailures,
        error: String(error).slice(0, 200),
      });
    } finally {
      this.draining = false;
      this.drain = undefined;
    }
    // Events accepted after the drain: forwarded by the next inline run (the alarm stays its safety net).
    const again = this.rerun && notBefore === 0 && this.store.open() && this.headDueNow();
    this.rerun = false;
    await this.rearm(notBefore, again);
    if (again) this.ctx.waitUntil(this.work("inline"));
  }

  /** Whether an event waits to be forwarded now. */
  private headDueNow(): boolean {
    const due = pendingDueAt(this.store.message().events, new Set(), this.permits.notBefore());
    return due !== undefined && due <= Date.now();
  }

  /**
   * Sets the next alarm after a run (with `inline`, for an inline run about to start); if even that fails, a
   * plain retry alarm, then the platform's own retry.
   */
  private async rearm(notBefore: number, inline: boolean): Promise<void> {
    try {
      this.faultPoint("schedule");
      if (this.store.open()) await this.scheduleAlarm(notBefore, inline);
    } catch (error) {
      this.alarmFailures += 1;
      log("error", "alarm_rearm_failed", { messageId: this.messageId(), error: String(error).slice(0, 200) });
      await this.ctx.storage.setAlarm(Date.now() + alarmRetryDelay(this.alarmFailures));
    }
  }

  /** Brings the lists across messages up to date, unless a failed update is still waiting for its retry. */
  private async syncListsUnlessWaiting(): Promise<void> {
    if (Date.now() < this.listRetryAt) return;
    await this.syncLists().then(
      () => {
        this.listFailures = 0;
      },
      (error: unknown) => this.listFailed(error),
    );
  }

  /** Sends the DeadLetters and QuarantineList work recorded in storage, clearing only what was sent. */
  private async syncLists(): Promise<void> {
    this.faultPoint("lists");
    await syncDeadLetters(this.env, this.store, this.messageId());
    await syncQuarantineList(this.env, this.store, this.messageId());
  }

  /** Looks Bandwidth up for recipients still without a terminal status, when due; ingests what it reports. */
  private async reconcile(media: MediaSettings): Promise<void> {
    if (!media.reconcile) return;
    const memory = await this.reconcileMemory();
    const now = Date.now();
    if ((reconcileDueAt(this.store, media, memory, now) ?? Number.POSITIVE_INFINITY) > now) return;
    const { items, memory: next } = await reconcileRound(this.store, media, memory, now);
    if (items.length > 0) {
      const outcomes = acceptBatch(this.store, items, { now, ...this.acceptance() });
      for (const [index, item] of items.entries()) logOutcome(item, outcomes[index]);
    }
    await this.ctx.storage.put(RECONCILE_KEY, next);
    // A give-up is listed through the index: write the message's rows again.
    if (next.givenUp && !memory.givenUp) this.indexedAt = 0;
    this.reconciling = next;
  }

  /** What this message remembers of its reconciliation (read once, then kept). */
  private async reconcileMemory(): Promise<ReconcileMemory> {
    this.reconciling ??= (await this.ctx.storage.get<ReconcileMemory>(RECONCILE_KEY)) ?? {
      progress: NO_LOOKUPS,
    };
    return this.reconciling;
  }

  /** Brings the message's D1 index rows up to date (one batch per alarm run), unless a failure is waiting. */
  private async syncIndexUnlessWaiting(): Promise<void> {
    if (!this.indexLags() || Date.now() < this.listRetryAt) return;
    try {
      this.faultPoint("index");
      const givenUp = this.reconciling?.givenUp ? "given-up" : null;
      this.indexedAt = await syncIndex(this.env, this.store, givenUp);
      this.listFailures = 0;
    } catch (error) {
      this.listFailed(error);
    }
  }

  /** Whether the D1 index is behind the message's last activity. */
  private indexLags(): boolean {
    return (this.store.lastActivity() ?? 0) > this.indexedAt;
  }

  private listFailed(error: unknown): void {
    this.listFailures += 1;
    this.listRetryAt = Date.now() + Math.min(LIST_RETRY_MS * 2 ** (this.listFailures - 1), LIST_RETRY_MAX_MS);
    log("error", "list_update_failed", { messageId: this.messageId(), error: String(error).slice(0, 200) });
  }

  /** Deletes the message once it is due, after taking its entries off the lists; true when it did. */
  private async expireIfDue(retentionMs: number): Promise<boolean> {
    if (!this.expired(retentionMs)) return false;
    this.store.change((message, sql) => {
      markDeadForRemoval(message.events);
      if (this.store.hasQuarantine()) forgetAll(sql);
      return { result: undefined };
    });
    await this.syncLists();
    this.faultPoint("expire");
    // That call left the object, and others may have come in: an event accepted (or redelivered) meanwhile
    // keeps the message, and with it its entries of the lists, listed again. Checked before each step that
    // cannot be undone (the copies), and once more after the last call that leaves the object.
    if (this.keptAfterAll(retentionMs)) return false;
    const settings = readConfig(this.env);
    if (settings.ok) await dropMedia(this.store, settings.config.media);
    await dropFromIndex(this.env, this.store);
    // From this check on, only storage is awaited: no other call runs.
    if (this.keptAfterAll(retentionMs)) return false;
    log("info", "message_expired", { messageId: this.messageId() });
    await this.store.deleteAll();
    return true;
  }

  /**
   * Whether activity since expiry began keeps the message: then its dead and quarantined events, taken off the
   * lists for the deletion, are listed again (the next run sends that work) and its index rows written again.
   */
  private keptAfterAll(retentionMs: number): boolean {
    if (!hasListWork(this.store) && this.expired(retentionMs)) return false;
    this.store.change((message, sql) => {
      markDeadForListing(message.events);
      if (this.store.hasQuarantine()) relistAll(sql);
      return { result: undefined };
    });
    this.indexedAt = 0;
    log("info", "message_kept", { messageId: this.messageId() });
    return true;
  }

  private expired(retentionMs: number): boolean {
    // Reconciliation still to do (or to give up on) keeps the message, as a pending event does.
    const config = readConfig(this.env);
    const reconciling =
      config.ok &&
      reconcileDueAt(this.store, config.config.media, this.reconciling, Date.now()) !== undefined;
    const pending = hasPending(this.store.message().events) || reconciling;
    return isExpired({
      pending,
      updatedAt: this.store.lastActivity(),
      retentionMs,
      now: Date.now(),
    });
  }

  /**
   * How a newly accepted event is handled under the current configuration: the destinations it goes to, and
   * whether it waits for its media copies.
   */
  private acceptance(): {
    route: (event: BandwidthEventOutput) => string[];
    holdsMedia: (event: BandwidthEventOutput) => boolean;
  } {
    const config = readConfig(this.env);
    if (!config.ok) return { route: () => [], holdsMedia: () => false };
    const copies = config.config.media.copy !== undefined;
    return {
      route: routeEvent(config.config),
      holdsMedia: (event) => copies && inboundMediaUrls(event).length > 0,
    };
  }

  /** The names of the configured destinations (empty when the configuration is broken). */
  private configuredDestinations(): Set<string> {
    const config = readConfig(this.env);
    return new Set(config.ok ? config.config.destinations.map((destination) => destination.name) : []);
  }

  /** The message id, without reading storage (it is also the object's name). */
  private messageId(): string {
    return this.store.cachedId() ?? this.ctx.id.name ?? "";
  }

  /** Sets the one alarm to the earliest due work (not before `notBefore`), re-arming it whenever it is missing. */
  private async scheduleAlarm(notBefore = 0, inline = false): Promise<void> {
    await this.arm(await this.ctx.storage.getAlarm(), notBefore, inline);
  }

  /**
   * Moves the alarm (now at `current`) to the earliest due work, not before `notBefore`, when it is missing,
   * late or past; with `inline`, heads due now are being forwarded by an inline run. Synchronous up to the
   * write, so that the alarm joins the commit of the writes before it.
   */
  private arm(current: number | null, notBefore: number, inline: boolean): Promise<void> | undefined {
    const now = Date.now();
    const { events } = this.store.message();
    // A paused destination's events wait; the object looks again once a pause can have been lifted.
    const recheck = Math.min(PAUSE_RECHECK_MS * 2 ** Math.max(0, this.pauseChecks - 1), PAUSE_RECHECK_MAX_MS);
    const waitingOnPause = this.paused.size > 0 && hasPending(events) ? now + recheck : undefined;
    const config = readConfig(this.env);
    const reconcileAt = config.ok
      ? reconcileDueAt(this.store, config.config.media, this.reconciling, now)
      : undefined;
    // A paused destination's events still age: the alarm comes when the first of them is past its max age.
    const aging = config.ok ? pausedStaleAt(events, this.paused, config.config) : undefined;
    // A rate-limited destination's head waits for its slot: the alarm comes then, not at once.
    const headDue = pendingDueAt(events, this.paused, this.permits.notBefore(now));
    const work = [headDue ?? waitingOnPause, reconcileAt, aging].filter(
      (time): time is number => time !== undefined,
    );
    const lastActivity = this.store.lastActivity();
    const wake = nextWake({
      now,
      headDueAt: work.length > 0 ? Math.min(...work) : undefined,
      inline,
      settleMs: config.ok ? config.config.settleMs : CONFIG_RETRY_MS,
      unsavedSince: this.store.unsavedChangesSince(),
      listWork: hasListWork(this.store),
      indexBehindSince: this.indexLags() ? lastActivity : undefined,
      listRetryAt: this.listRetryAt,
      updatedAt: lastActivity,
      retentionMs: config.ok ? config.config.retentionMs : CONFIG_RETRY_MS,
    });
    if (wake === undefined) return undefined;
    // Work already due (or overdue) runs now: setAlarm refuses times <= 0.
    const due = Math.max(wake, notBefore, now);
    if (current === null || current > due || current < now) return this.ctx.storage.setAlarm(due);
    return undefined;
  }

  /** Where tests inject a failure into a step of the alarm; does nothing otherwise. */
  protected faultPoint(_step: AlarmStep): void {}
}
