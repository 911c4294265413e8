/**
 * DeadLetters: one Durable Object (named "global") indexing every dead event across messages, per destination,
 * so that an operator can list them and redeliver in bulk. Touched only when an event dies or is redelivered. The events themselves stay in their MessageTracker.
 */

import { DurableObject } from "cloudflare:workers";
import { inJurisdiction } from "../jurisdiction.ts";
import type { MessageIdBatch } from "../message/list-cursor.ts";
import {
  applyDeadLetterChanges,
  createDeadLetterTable,
  type DeadLetterEntry,
  type DeadLetterKey,
  type DeadLetterPage,
  deadMessageIds,
  listDeadLetters,
} from "./dead-letter-sql.ts";

export class DeadLetters extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, inJurisdiction(env));
    ctx.storage.transactionSync(() => createDeadLetterTable(ctx.storage.sql));
  }

  /** Adds entries for events that died and removes those that were redelivered. Idempotent. */
  async update(added: DeadLetterEntry[], removed: DeadLetterKey[]): Promise<void> {
    this.ctx.storage.transactionSync(() => applyDeadLetterChanges(this.ctx.storage.sql, added, removed));
  }

  /** One page (of one destination, or all), oldest first. */
  async list(limit: number, after?: [number, string], destination?: string): Promise<DeadLetterPage> {
    return listDeadLetters(this.ctx.storage.sql, limit, after, destination);
  }

  /**
   * Ids of messages with dead events, for bulk redelivery, in id order after the id `after`: of any
   * destination, or of `destination` and of every destination not in `configured` (a removed one, whose
   * events the redelivery moves to it).
   */
  async messageIds(
    limit: number,
    after?: string,
    destination?: string,
    configured?: string[],
  ): Promise<MessageIdBatch> {
    return deadMessageIds(this.ctx.storage.sql, limit, after, destination, configured);
  }
}
