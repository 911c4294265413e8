/**
 * DeadLetters: one Durable Object (named "global") indexing every dead event across messages, so that an
 * operator can list them and redeliver in bulk. The events themselves stay in their MessageTracker.
 */
import { DurableObject } from "cloudflare:workers";
import {
  applyDeadLetterChanges,
  createDeadLetterTable,
  type DeadLetterEntry,
  type DeadLetterPage,
  deadMessageIds,
  listDeadLetters,
} from "./dead-letter-sql.ts";

export class DeadLetters extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    createDeadLetterTable(ctx.storage.sql);
  }

  /** Adds entries for events that died and removes those that were redelivered. Idempotent. */
  async update(added: DeadLetterEntry[], removed: string[]): Promise<void> {
    this.ctx.storage.transactionSync(() => applyDeadLetterChanges(this.ctx.storage.sql, added, removed));
  }

  /** One page, oldest first. */
  async list(limit: number, after?: [number, string]): Promise<DeadLetterPage> {
    return listDeadLetters(this.ctx.storage.sql, limit, after);
  }

  /** Ids of messages with dead events, for bulk redelivery. */
  async messageIds(limit: number): Promise<string[]> {
    return deadMessageIds(this.ctx.storage.sql, limit);
  }
}
