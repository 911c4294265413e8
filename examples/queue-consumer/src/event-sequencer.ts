/**
 * EventSequencer, one Durable Object per message (the CloudEvent `subject`): it remembers every event id it was
 * given, so a redelivered event is a duplicate, and processes the message's events in `sequence` order. An event
 * whose predecessors have not arrived is stored and held until they do, or until GAP_WAIT_SECONDS pass (the
 * object's alarm). Everything is in the object's SQLite storage: a restart or an eviction loses nothing.
 */
import { DurableObject } from "cloudflare:workers";
import type { QueuedEvent } from "./cloud-event.ts";
import { type HeldEvent, nextWake, placeEvent, releasable } from "./sequencing.ts";

/** The bindings the object reads. */
export interface SequencerEnv {
  /** How long a held event waits for the events before it, in seconds. */
  GAP_WAIT_SECONDS: string;
}

/** What became of an event handed to {@link EventSequencer.receive}. */
export type ReceiveOutcome = "processed" | "held" | "late" | "duplicate";

/** One processed event, as the demo endpoint lists it. */
export interface ProcessedEvent {
  /** 1-based place in this message's processing order. */
  position: number;
  id: string;
  sequence: number | null;
  type: string;
  /** Processed after a later sequence, its gap having been given up on. */
  late: boolean;
  processedAt: string;
}

/** What the object holds: processed events in processing order, and held ones. */
export interface SequencerView {
  processed: ProcessedEvent[];
  held: Array<{ id: string; sequence: number; heldUntil: string }>;
}

const DEFAULT_GAP_WAIT_MS = 60_000;

export class EventSequencer extends DurableObject<SequencerEnv> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: SequencerEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS events (
      id TEXT PRIMARY KEY,
      sequence INTEGER,
      type TEXT NOT NULL,
      body TEXT NOT NULL,
      held_until INTEGER,
      position INTEGER,
      late INTEGER NOT NULL DEFAULT 0,
      processed_at INTEGER
    )`);
  }

  /**
   * Takes one event from the queue. When it returns, the event is stored (processed, or held for the alarm),
   * so the queue message can be acknowledged; a throw means nothing was stored and the message must be retried.
   */
  async receive(event: QueuedEvent): Promise<ReceiveOutcome> {
    if (this.sql.exec("SELECT 1 FROM events WHERE id = ?", event.id).toArray().length > 0) return "duplicate";
    const now = Date.now();
    const placement = placeEvent(event.sequence, this.lastProcessed());
    const heldUntil = placement === "hold" ? now + this.gapWaitMs() : null;
    this.sql.exec(
      "INSERT INTO events (id, sequence, type, body, held_until) VALUES (?, ?, ?, ?, ?)",
      event.id,
      event.sequence ?? null,
      event.type,
      JSON.stringify(event),
      heldUntil,
    );
    if (placement !== "hold") {
      this.process(event.id, placement === "late", now);
      this.releaseHeld(now);
    }
    await this.armAlarm();
    return placement === "process" ? "processed" : placement === "hold" ? "held" : "late";
  }

  /** Processes the held events whose wait is over (and those that follow them without a gap). */
  override async alarm(): Promise<void> {
    this.releaseHeld(Date.now());
    await this.armAlarm();
  }

  /** The processed events in processing order and the held ones: for the demo endpoint only. */
  view(): SequencerView {
    const processed = this.sql
      .exec<{
        position: number;
        id: string;
        sequence: number | null;
        type: string;
        late: number;
        at: number;
      }>(
        "SELECT position, id, sequence, type, late, processed_at AS at FROM events WHERE position IS NOT NULL ORDER BY position",
      )
      .toArray()
      .map(({ at, late, ...row }) => ({ ...row, late: late === 1, processedAt: new Date(at).toISOString() }));
    const held = this.held().map(({ id, sequence, heldUntil }) => ({
      id,
      sequence,
      heldUntil: new Date(heldUntil).toISOString(),
    }));
    return { processed, held };
  }

  /**
   * The work on one event, in the same transaction as the bookkeeping that makes it happen once. This example
   * only records the processing order; a real consumer updates its own tables here (say, the recipient's
   * status from `data.status`), or calls out and keeps the event id in its own store to stay idempotent.
   */
  private process(id: string, late: boolean, now: number): void {
    const [row] = this.sql
      .exec<{ position: number; sequence: number | null }>(
        `UPDATE events SET held_until = NULL, late = ?, processed_at = ?,
           position = (SELECT COALESCE(MAX(position), 0) + 1 FROM events)
         WHERE id = ? RETURNING position, sequence`,
        late ? 1 : 0,
        now,
        id,
      )
      .toArray();
    console.log(
      JSON.stringify({
        level: "info",
        event: "event_processed",
        subject: this.ctx.id.name,
        eventId: id,
        ...row,
        late,
      }),
    );
  }

  private releaseHeld(now: number): void {
    const last = this.lastProcessed();
    const released = releasable(this.held(), last, now);
    let previous = last;
    for (const event of released) {
      if (event.sequence > previous + 1) {
        // Given up on: a later redelivery of these is processed as late.
        console.warn(
          JSON.stringify({
            level: "warn",
            event: "gap_skipped",
            subject: this.ctx.id.name,
            missing: [previous + 1, event.sequence - 1],
          }),
        );
      }
      this.process(event.id, false, now);
      previous = event.sequence;
    }
  }

  private held(): HeldEvent[] {
    return this.sql
      .exec<{ id: string; sequence: number; heldUntil: number }>(
        "SELECT id, sequence, held_until AS heldUntil FROM events WHERE held_until IS NOT NULL",
      )
      .toArray();
  }

  private lastProcessed(): number {
    const [row] = this.sql
      .exec<{ last: number | null }>("SELECT MAX(sequence) AS last FROM events WHERE position IS NOT NULL")
      .toArray();
    return row?.last ?? 0;
  }

  private gapWaitMs(): number {
    const seconds = Number(this.env.GAP_WAIT_SECONDS);
    return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : DEFAULT_GAP_WAIT_MS;
  }

  private async armAlarm(): Promise<void> {
    const wake = nextWake(this.held());
    if (wake === undefined) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(wake);
  }
}
