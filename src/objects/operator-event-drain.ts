/**
 * Delivering a DestinationHealth object's operator events from its alarm: per operator destination the
 * oldest pending event, one attempt each per run (HTTP ones signed with the destination's own secrets, queue
 * ones sent to its binding), each outcome written before the next; then the finished entries past their
 * time are removed. The decisions are operator-outbox.ts's.
 */
import type { Config } from "../config.ts";
import { deliverToDestination } from "../forward/deliver-destination.ts";
import { retryPolicyFor } from "../forward/destinations.ts";
import {
  dueHeads,
  expiredDeliveries,
  type OperatorDelivery,
  postponePaused,
  recordOperatorAttempt,
  removedDestination,
} from "../forward/operator-outbox.ts";
import { log } from "../log.ts";
import { deleteDelivery, loadDeliveries, saveDelivery } from "./destination-health-sql.ts";

/** How long one alarm run may keep delivering before it leaves the rest to the next alarm. */
const DRAIN_BUDGET_MS = 25_000;

/** What the drain needs from its object. */
export interface OperatorDrainContext {
  sql: SqlStorage;
  env: Env;
  config: Config;
  /** Whether a destination is paused (the object answers for its own destination without a call). */
  isPaused(name: string): Promise<boolean>;
}

/** Attempts every due head once (and the entries that a delivery brings to the head), then expires. */
export async function drainOperatorEvents(context: OperatorDrainContext): Promise<void> {
  const stopAt = Date.now() + DRAIN_BUDGET_MS;
  const tried = new Set<string>();
  while (Date.now() < stopAt) {
    const heads = dueHeads(loadDeliveries(context.sql), Date.now()).filter((head) => !tried.has(keyOf(head)));
    if (heads.length === 0) break;
    for (const head of heads) {
      tried.add(keyOf(head));
      await attempt(context, head);
    }
  }
  for (const expired of expiredDeliveries(loadDeliveries(context.sql), Date.now())) {
    deleteDelivery(context.sql, expired);
  }
}

async function attempt(context: OperatorDrainContext, head: OperatorDelivery): Promise<void> {
  const { sql, config } = context;
  const destination = config.destinations.find((candidate) => candidate.name === head.destination);
  if (!destination) {
    saveDelivery(sql, removedDestination(head, Date.now()));
    log("warn", "operator_event_dead", {
      destination: head.destination,
      eventId: head.eventId,
      error: "destination removed",
    });
    return;
  }
  const policy = retryPolicyFor(destination, config.retry);
  if (await context.isPaused(destination.name)) {
    saveDelivery(sql, postponePaused(head, policy, Date.now()));
    return;
  }
  const report = await deliverToDestination(destination, context.env, head.eventId, head.body);
  const next = recordOperatorAttempt(head, report.outcome, policy, Date.now(), Math.random());
  saveDelivery(sql, next);
  log(next.state === "delivered" ? "info" : "warn", "operator_event_attempt", {
    destination: destination.name,
    eventId: head.eventId,
    attempt: next.attempts,
    outcome: next.state === "pending" ? "retry" : next.state,
    status: report.outcome.kind === "response" ? report.outcome.status : report.outcome.kind,
    latencyMs: report.latencyMs,
  });
}

function keyOf(delivery: OperatorDelivery): string {
  return `${delivery.destination}\n${delivery.eventId}`;
}
