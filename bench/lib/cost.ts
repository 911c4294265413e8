/**
 * Billable operations per callback and what they cost at list prices (bench/prices.json): the metered counts of
 * one run (src/metering/) divided by the callbacks answered, each multiplied by its price; and, apart from
 * their sum, the Workers Logs events (log lines and invocation logs) and what they cost. Pure.
 */
import type { MeterCounts } from "../../src/metering/counts.ts";

/** The priced line items, as bench/prices.json names them. */
export const PRICED_ITEMS = [
  "workerRequests",
  "workerCpuMs",
  "objectRequests",
  "objectGbSeconds",
  "sqlRowsWritten",
  "sqlRowsRead",
  "d1RowsWritten",
  "d1RowsRead",
  "queueOperations",
  "r2ClassA",
  "r2ClassB",
] as const;

/** One priced line item. */
export type PricedItem = (typeof PRICED_ITEMS)[number];

/** One price of bench/prices.json. */
export interface Price {
  usdPerMillion: number;
  unit: string;
  source: string;
  seen: boolean;
}

/** bench/prices.json. */
export interface PriceTable {
  date: string;
  currency: string;
  basis: string;
  prices: Record<PricedItem | "sqlStorageGbMonth" | "workersLogsEvents", Price>;
  assumptions: string[];
}

/** Memory a Durable Object is billed for while active (GB). */
export const OBJECT_MEMORY_GB = 0.128;
/** Queue operations per message of up to 64 KB: its write, its read and its delete. */
export const QUEUE_OPERATIONS_PER_MESSAGE = 3;

/** Billable operations per callback answered. */
export type OperationsPerCallback = Record<PricedItem, number> & {
  /** Not billed; reported. */
  subrequests: number;
  /** Of `objectRequests`: the alarm invocations. */
  alarms: number;
  /** Of `sqlRowsWritten`: `setAlarm`/`deleteAlarm` calls. */
  alarmWrites: number;
  /** Console lines written. */
  logLines: number;
  /**
   * Billable Workers Logs events: the lines, plus one invocation log per Worker request, Durable Object request
   * (every binding) and alarm. Priced apart (`Cost.workersLogs`).
   */
  workersLogsEvents: number;
};

/** One line of the cost: its quantity per callback and what a million callbacks cost of it. */
export interface CostLine {
  item: PricedItem;
  perCallback: number;
  usdPerMillionCallbacks: number;
}

/** What a million callbacks cost, with the line items. */
export interface Cost {
  usdPerMillionCallbacks: number;
  lines: CostLine[];
  pricesDate: string;
  /** Storage kept for one month, per million callbacks (not in `usdPerMillionCallbacks`); null when not measured. */
  storageUsdPerMillionCallbacksMonth: number | null;
  /**
   * Workers Logs with every invocation sampled (wrangler.toml's observability): events per callback and what a
   * million callbacks cost of them; not in `usdPerMillionCallbacks`.
   */
  workersLogs: { eventsPerCallback: number; usdPerMillionCallbacks: number };
  /** `usdPerMillionCallbacks` plus `workersLogs`. */
  withWorkersLogsUsdPerMillionCallbacks: number;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, value) => total + value, 0);
}

/**
 * The operations per callback of a run: `counts` over `callbacks` answered, with the workerd process's CPU per
 * callback (null: not measured, priced at 0).
 */
export function operationsPerCallback(
  counts: MeterCounts,
  callbacks: number,
  cpuMsPerCallback: number | null,
): OperationsPerCallback {
  const per = (value: number) => (callbacks > 0 ? value / callbacks : 0);
  const alarms = sum(counts.alarms);
  const invocations = counts.workerRequests + sum(counts.objectRequests) + alarms;
  return {
    workerRequests: per(counts.workerRequests),
    workerCpuMs: cpuMsPerCallback ?? 0,
    objectRequests: per(sum(counts.objectRequests) + alarms),
    objectGbSeconds: per((sum(counts.objectActiveMs) / 1000) * OBJECT_MEMORY_GB),
    sqlRowsWritten: per(counts.sqlRowsWritten + counts.alarmWrites + counts.kvRowsWritten),
    sqlRowsRead: per(counts.sqlRowsRead),
    d1RowsWritten: per(counts.d1RowsWritten),
    d1RowsRead: per(counts.d1RowsRead),
    queueOperations: per(counts.queueMessages * QUEUE_OPERATIONS_PER_MESSAGE),
    r2ClassA: per(counts.r2ClassA),
    r2ClassB: per(counts.r2ClassB),
    subrequests: per(counts.subrequests),
    alarms: per(alarms),
    alarmWrites: per(counts.alarmWrites),
    logLines: per(counts.logLines),
    workersLogsEvents: per(counts.logLines + invocations),
  };
}

/**
 * What a million callbacks cost: every priced operation per callback times its price per million, summed; and,
 * apart, a month of storage for `storageBytesPerCallback` (null: not measured) and the Workers Logs events.
 */
export function costPerMillion(
  operations: OperationsPerCallback,
  table: PriceTable,
  storageBytesPerCallback: number | null = null,
): Cost {
  const lines = PRICED_ITEMS.map((item) => ({
    item,
    perCallback: operations[item],
    usdPerMillionCallbacks: operations[item] * table.prices[item].usdPerMillion,
  }));
  const storageGbMonthPerCallback = storageBytesPerCallback === null ? null : storageBytesPerCallback / 1e9;
  const usdPerMillionCallbacks = lines.reduce((total, line) => total + line.usdPerMillionCallbacks, 0);
  const workersLogs = {
    eventsPerCallback: operations.workersLogsEvents,
    usdPerMillionCallbacks: operations.workersLogsEvents * table.prices.workersLogsEvents.usdPerMillion,
  };
  return {
    usdPerMillionCallbacks,
    lines,
    pricesDate: table.date,
    storageUsdPerMillionCallbacksMonth:
      storageGbMonthPerCallback === null
        ? null
        : storageGbMonthPerCallback * table.prices.sqlStorageGbMonth.usdPerMillion,
    workersLogs,
    withWorkersLogsUsdPerMillionCallbacks: usdPerMillionCallbacks + workersLogs.usdPerMillionCallbacks,
  };
}
