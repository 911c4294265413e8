/**
 * The end of a fault run: wait until the downstream has every acknowledged event (watching only the downstream,
 * so that nothing nudges the receiver's Durable Objects), then read the histories and compute the figures.
 */

import type { Downstream } from "../../harness/downstream.ts";
import type { Receiver } from "../../harness/receiver.ts";
import { waitFor } from "../../harness/wait.ts";
import type { EventView } from "../e2e/harness/answers.ts";
import { getMessage } from "../e2e/harness/api.ts";
import { is2xx } from "../e2e/harness/ordering.ts";
import type { Stack } from "../e2e/harness/stack.ts";
import { computeFigures, type ScenarioFigures } from "./figures.ts";
import type { TrafficRun } from "./traffic.ts";

/** How to end a run. */
export interface MeasureOptions {
  scenario: string;
  /** When the fault ended (or the traffic, without one). */
  drainFrom: number;
  /** How long the downstream may take to receive everything after the traffic ended. */
  drainTimeoutMs: number;
}

/** For each message, how many distinct events were acknowledged. */
export function acknowledgedPerMessage(traffic: TrafficRun): Map<string, number> {
  const keys = new Map<string, Set<string>>();
  for (const record of traffic.records) {
    if (record.ackedAt === undefined) continue;
    const id = record.planned.event.message.id;
    keys.set(id, (keys.get(id) ?? new Set()).add(record.planned.key));
  }
  return new Map([...keys].map(([id, set]) => [id, set.size]));
}

function deliveredIdsBySubject(downstream: Downstream): Map<string, Set<string>> {
  const ids = new Map<string, Set<string>>();
  for (const request of downstream.requests()) {
    const { event } = request;
    if (event && is2xx(request)) ids.set(event.subject, (ids.get(event.subject) ?? new Set()).add(event.id));
  }
  return ids;
}

/** Every CloudEvent id the downstream answered 2xx so far. */
export function deliveredIds(downstream: Downstream): Set<string> {
  return new Set([...deliveredIdsBySubject(downstream).values()].flatMap((ids) => [...ids]));
}

/** Messages that have fewer distinct delivered ids than acknowledged events, with how many are missing. */
export function shortfall(
  downstream: Downstream,
  expected: ReadonlyMap<string, number>,
): Map<string, number> {
  const delivered = deliveredIdsBySubject(downstream);
  const missing = new Map<string, number>();
  for (const [id, count] of expected) {
    const got = delivered.get(id)?.size ?? 0;
    if (got < count) missing.set(id, count - got);
  }
  return missing;
}

/** Reads every message's history, a few at a time; an unknown message has none. */
export async function readHistories(
  receiver: Receiver,
  messageIds: readonly string[],
): Promise<Map<string, EventView[]>> {
  const histories = new Map<string, EventView[]>();
  const queue = [...messageIds];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      histories.set(id, (await getMessage(receiver, id))?.events ?? []);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return histories;
}

function describeShortfall(missing: ReadonlyMap<string, number>): string {
  const total = [...missing.values()].reduce((sum, n) => sum + n, 0);
  const sample = [...missing.keys()].slice(0, 3).join(", ");
  return `${total} acknowledged events of ${missing.size} messages not delivered yet (e.g. ${sample})`;
}

/** Waits until no message falls short of `expected`; false (after logging what is missing) on timeout. */
async function awaitDelivered(
  downstream: Downstream,
  expected: ReadonlyMap<string, number>,
  timeoutMs: number,
  scenario: string,
): Promise<boolean> {
  try {
    await waitFor(() => shortfall(downstream, expected).size === 0, timeoutMs, {
      intervalMs: 250,
      describe: () => describeShortfall(shortfall(downstream, expected)),
    });
    return true;
  } catch (error) {
    console.error(`[faults] ${scenario}: ${String(error)}`);
    return false;
  }
}

function unsettledMessages(histories: ReadonlyMap<string, readonly EventView[]>): string[] {
  return [...histories]
    .filter(([, events]) =>
      events.some((event) => Object.values(event.forwarding).some((d) => d.state !== "delivered")),
    )
    .map(([id]) => id);
}

/**
 * Re-reads (in place) the histories that still show an event not `delivered` until none does, for up to 30 s:
 * the receiver's own record must agree with the downstream once the retries in flight have ended.
 */
async function awaitSettled(
  receiver: Receiver,
  histories: Map<string, EventView[]>,
  scenario: string,
): Promise<void> {
  try {
    await waitFor(
      async () => {
        const unsettled = unsettledMessages(histories);
        for (const [id, events] of await readHistories(receiver, unsettled)) histories.set(id, events);
        return unsettledMessages(histories).length === 0;
      },
      30_000,
      {
        intervalMs: 1_000,
        describe: () => `messages with events not delivered: ${unsettledMessages(histories).length}`,
      },
    );
  } catch (error) {
    console.error(`[faults] ${scenario}: ${String(error)}`);
  }
}

/**
 * Waits (bounded) until every acknowledged event and then every stored one reached the downstream, and
 * returns the run's figures. A timeout is not thrown: the figures then show what was lost.
 */
export async function measureRun(
  stack: Stack,
  traffic: TrafficRun,
  options: MeasureOptions,
): Promise<ScenarioFigures> {
  const { receiver, downstream } = stack;
  const expected = acknowledgedPerMessage(traffic);
  const drained = await awaitDelivered(downstream, expected, options.drainTimeoutMs, options.scenario);
  const messageIds = [...new Set(traffic.records.map((record) => record.planned.event.message.id))];
  const histories = await readHistories(receiver, messageIds);
  // Events stored whose 200 was lost (a crash between the write and the answer) must be delivered too.
  const storedPerMessage = new Map([...histories].map(([id, events]) => [id, events.length]));
  if (drained) await awaitDelivered(downstream, storedPerMessage, 30_000, options.scenario);
  if (drained) await awaitSettled(receiver, histories, options.scenario);
  return computeFigures({
    scenario: options.scenario,
    traffic,
    histories,
    requests: downstream.requests(),
    drainFrom: options.drainFrom,
    measuredAt: Date.now(),
  });
}
