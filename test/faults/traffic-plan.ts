/**
 * Bandwidth-like callback traffic, planned up front from a seed: group messages whose recipients go through
 * sending → sent → delivered (some failed), many messages interleaved, one event per callback as Bandwidth
 * sends them, and some callbacks sent again as Bandwidth's retries are.
 */

import { seededRandom } from "../../harness/random.ts";
import type { BandwidthEventInput as BandwidthEvent } from "../../src/bandwidth/schema.ts";
import { newMessageId, statusEvent } from "../helpers/events.ts";
import { keyOfSent } from "./event-key.ts";

/** One callback of the plan. */
export interface PlannedCallback {
  /** 0-based position in the plan. */
  index: number;
  event: BandwidthEvent;
  /** The event's key (see event-key.ts). */
  key: string;
  /** A repeat of an earlier callback, as Bandwidth retries one; its answer should count a duplicate. */
  resend: boolean;
}

/** The shape of the traffic. */
export interface TrafficShape {
  /** Labels the message ids, e.g. the scenario's name. */
  label: string;
  /** How many callbacks in all, resends included. */
  callbacks: number;
  /** Recipients per (group) message: each goes through three events, so a message has 3× as many. */
  recipientsPerMessage: number;
  /** How many messages are in progress at once; their events interleave. */
  concurrentMessages: number;
  /** The share of callbacks that repeat an earlier one. */
  resendRatio: number;
  /** The share of recipients whose last event is `message-failed` (error 4720) instead of delivered. */
  failureRatio: number;
  seed: number;
}

/** A fault run's usual traffic: 2 recipients, 40 messages at once, 3 % resends, 10 % failures. */
export function defaultShape(label: string, callbacks: number, seed: number): TrafficShape {
  return {
    label,
    callbacks,
    recipientsPerMessage: 2,
    concurrentMessages: 40,
    resendRatio: 0.03,
    failureRatio: 0.1,
    seed,
  };
}

const CARRIER_REJECTED = 4720;
/** How far back a resend reaches, in callbacks. */
const RESEND_WINDOW = 50;

function recipientNumber(index: number): string {
  return `+1555010${String(index).padStart(4, "0")}`;
}

/** The events of one group message, in time order: every recipient's sending, then sent, then the outcome. */
export function groupLifecycle(
  id: string,
  recipients: number,
  fails: (recipient: number) => boolean,
): BandwidthEvent[] {
  const numbers = Array.from({ length: recipients }, (_, index) => recipientNumber(index));
  const events: BandwidthEvent[] = [];
  const stages = ["message-sending", "message-sent", "outcome"] as const;
  stages.forEach((stage, stageIndex) => {
    numbers.forEach((to, recipient) => {
      const failed = stage === "outcome" && fails(recipient);
      const type = stage !== "outcome" ? stage : failed ? "message-failed" : "message-delivered";
      const step = stageIndex * recipients + recipient;
      const outcome = failed ? { errorCode: CARRIER_REJECTED, description: "rejected" } : {};
      events.push(statusEvent(type, { id, step, to, recipients: [...numbers], ...outcome }));
    });
  });
  return events;
}

/** Plans `shape.callbacks` callbacks; the same shape (and seed) gives the same traffic, up to the message ids. */
export function planTraffic(shape: TrafficShape): PlannedCallback[] {
  const random = seededRandom(shape.seed);
  const newMessage = () =>
    groupLifecycle(
      newMessageId(`e2e-${shape.label}`),
      shape.recipientsPerMessage,
      () => random() < shape.failureRatio,
    );
  const active = Array.from({ length: shape.concurrentMessages }, newMessage);
  const plan: PlannedCallback[] = [];
  for (let index = 0; index < shape.callbacks; index++) {
    if (plan.length > 0 && random() < shape.resendRatio) {
      const earlier = plan[Math.max(0, plan.length - 1 - Math.floor(random() * RESEND_WINDOW))];
      if (earlier) {
        plan.push({ index, event: earlier.event, key: earlier.key, resend: true });
        continue;
      }
    }
    const slot = Math.floor(random() * active.length);
    let queue = active[slot] ?? [];
    if (queue.length === 0) {
      queue = newMessage();
      active[slot] = queue;
    }
    const event = queue.shift() as BandwidthEvent;
    plan.push({ index, event, key: keyOfSent(event), resend: false });
  }
  return plan;
}
