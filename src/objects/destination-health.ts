/**
 * DestinationHealth: one Durable Object per destination name (reached with getByName(name)), off the healthy
 * path: trackers report to it only after a failed attempt and after the first success that follows one. It
 * keeps the destination's health and pause flag, logs each change, and delivers the change as an operator
 * event to the destinations whose filter says `operator: true`, from its own alarm, with retries. A thin shell
 * over destination-health.ts and operator-outbox.ts.
 */

import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../config.ts";
import {
  type AttemptResult,
  applyResults,
  type DestinationStatus,
  type OperatorEvent,
  setPaused,
  statusOf,
} from "../forward/destination-health.ts";
import { OPERATOR_EVENT, routeTo } from "../forward/routing.ts";
import { inJurisdiction } from "../jurisdiction.ts";
import { log } from "../log.ts";
import { alarmRetryDelay } from "../message/alarm-retry.ts";
import {
  createHealthSchema,
  earliestDue,
  insertDelivery,
  loadHealth,
  nextDeliverySeq,
  saveHealth,
} from "./destination-health-sql.ts";
import { isPaused, rememberStatus } from "./destination-status-cache.ts";
import { drainOperatorEvents } from "./operator-event-drain.ts";

export type { AttemptResult, DestinationStatus } from "../forward/destination-health.ts";

/** How long to wait before looking again when the configuration is broken. */
const CONFIG_RETRY_MS = 60_000;

export class DestinationHealth extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private draining = false;
  private alarmFailures = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, inJurisdiction(env));
    // Applies LOG_LEVEL (src/log.ts) in this isolate before the object writes a line.
    readConfig(this.env);
    this.sql = ctx.storage.sql;
    createHealthSchema(this.sql);
  }

  /**
   * Applies a tracker's attempt results for destination `name` (a batch is one call); on a change, logs it
   * and queues the operator event for every operator destination. Returns the status after them.
   */
  async report(name: string, results: AttemptResult[]): Promise<DestinationStatus> {
    const valid = results.filter((r) => typeof r.ok === "boolean" && Number.isFinite(r.at));
    const before = loadHealth(this.sql);
    const { state, events } = applyResults(before.state, name, valid);
    const config = readConfig(this.env);
    const targets = config.ok ? routeTo(config.config.destinations, OPERATOR_EVENT) : [];
    // A success reported while nothing was wrong changes nothing: no write.
    if (before.name !== name || JSON.stringify(state) !== JSON.stringify(before.state)) {
      this.ctx.storage.transactionSync(() => {
        saveHealth(this.sql, name, state);
        this.queueOperatorEvents(events, targets);
      });
    }
    for (const event of events) logChange(event, targets.length);
    if (events.length > 0 && !config.ok) {
      log("error", "operator_events_blocked_by_config", {
        destination: name,
        settings: config.problems.map((p) => p.setting).join(","),
      });
    }
    await this.scheduleAlarm();
    const status = statusOf(state);
    rememberStatus(name, status);
    return status;
  }

  /** Pauses the destination: trackers hold its events (see destination-status-cache.ts for how soon). */
  async pause(): Promise<DestinationStatus> {
    return this.changePause(true);
  }

  /** Resumes the destination: its held events are sent, in order. */
  async resume(): Promise<DestinationStatus> {
    return this.changePause(false);
  }

  /** The destination's health and pause flag. */
  async status(): Promise<DestinationStatus> {
    // Touching the object re-arms a lost alarm: no operator event may wait forever.
    await this.scheduleAlarm();
    return statusOf(loadHealth(this.sql).state);
  }

  /** Delivers the due operator events, expires the finished ones, and always leaves the next alarm set. */
  override async alarm(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let notBefore = 0;
    try {
      const config = readConfig(this.env);
      if (!config.ok) {
        log("error", "operator_events_blocked_by_config", {
          destination: this.name(),
          settings: config.problems.map((p) => p.setting).join(","),
        });
        notBefore = Date.now() + CONFIG_RETRY_MS;
      } else {
        await drainOperatorEvents({
          sql: this.sql,
          env: this.env,
          config: config.config,
          isPaused: (name) => this.isPaused(name),
        });
      }
      this.alarmFailures = 0;
    } catch (error) {
      // Whatever failed, the next alarm is set below while work remains.
      this.alarmFailures += 1;
      notBefore = Date.now() + alarmRetryDelay(this.alarmFailures);
      log("error", "destination_health_alarm_failed", {
        destination: this.name(),
        failures: this.alarmFailures,
        error: String(error).slice(0, 200),
      });
    } finally {
      this.draining = false;
    }
    await this.rearm(notBefore);
  }

  private async changePause(paused: boolean): Promise<DestinationStatus> {
    const name = this.name();
    const state = setPaused(loadHealth(this.sql).state, paused, Date.now());
    saveHealth(this.sql, name, state);
    const status = statusOf(state);
    rememberStatus(name, status);
    log("info", paused ? "destination_paused" : "destination_resumed", { destination: name });
    await this.scheduleAlarm();
    return status;
  }

  private queueOperatorEvents(events: readonly OperatorEvent[], targets: readonly string[]): void {
    const now = Date.now();
    let seq = nextDeliverySeq(this.sql);
    for (const event of events) {
      const body = JSON.stringify(event);
      for (const destination of targets) {
        insertDelivery(this.sql, {
          eventId: event.id,
          destination,
          seq: seq++,
          body,
          state: "pending",
          attempts: 0,
          createdAt: now,
          dueAt: now,
        });
      }
    }
  }

  /** This object answers for its own destination from storage, and asks (through the cache) for others. */
  private async isPaused(name: string): Promise<boolean> {
    if (name === this.name()) return loadHealth(this.sql).state.paused;
    return isPaused(this.env, name);
  }

  /** Sets the next alarm after a run; if even that fails, a plain retry alarm, then the platform's own retry. */
  private async rearm(notBefore: number): Promise<void> {
    try {
      await this.scheduleAlarm(notBefore);
    } catch (error) {
      this.alarmFailures += 1;
      log("error", "destination_health_rearm_failed", {
        destination: this.name(),
        error: String(error).slice(0, 200),
      });
      await this.ctx.storage.setAlarm(Date.now() + alarmRetryDelay(this.alarmFailures));
    }
  }

  /** Sets the one alarm to the earliest due entry (not before `notBefore`), re-arming it whenever it is missing. */
  private async scheduleAlarm(notBefore = 0): Promise<void> {
    const wake = earliestDue(this.sql);
    if (wake === undefined) return;
    const due = Math.max(wake, notBefore, Date.now());
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > due || current < Date.now()) await this.ctx.storage.setAlarm(due);
  }

  /** The destination's name: the object's own name, or the one its first report gave. */
  private name(): string {
    return this.ctx.id.name ?? loadHealth(this.sql).name ?? "";
  }
}

/** One JSON line per change; never a URL or a secret (the error text was bounded when it was reported). */
function logChange(event: OperatorEvent, operatorDestinations: number): void {
  const failing = event.data.state === "failing";
  log(failing ? "warn" : "info", failing ? "destination_failing" : "destination_recovered", {
    destination: event.data.destination,
    consecutiveFailures: event.data.consecutiveFailures,
    since: event.data.since,
    lastError: event.data.lastError,
    eventId: event.id,
    operatorDestinations,
  });
}
