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
  prices: Record<
    PricedItem | "sqlStorageGbMonth" | "workersLogsGbIngested" | "workersLogsGbMonthStored",
    Price
  >;
  /** How long Workers Logs keeps what it ingests (its storage is billed for that long). */
  workersLogsRetentionDays: number;
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
  /** Their bytes (UTF-8, with newlines). */
  logBytes: number;
  /**
   * Billable Workers Logs events: the lines, plus one invocation log per Worker request, Durable Object request
   * (every binding) and alarm. Reported: Workers Logs bills bytes from 2026-12-01 (`Cost.workersLogs`).
   */
  workersLogsEvents: number;
  /** Of `workersLogsEvents`: the invocation logs, whose bytes the bench cannot see. */
  invocationLogs: number;
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
   * Workers Logs with every invocation sampled (wrangler.toml's observability), billed by volume: the bytes of
   * the log lines per callback (measured), ingested and stored for the retention, and what a million callbacks
   * cost of them; the invocation logs' count, and what each KiB of one adds per million callbacks (their size is
   * Cloudflare's, not measured). Not in `usdPerMillionCallbacks`.
   */
  workersLogs: WorkersLogsCost;
  /** `usdPerMillionCallbacks` plus `workersLogs`. */
  withWorkersLogsUsdPerMillionCallbacks: number;
}

/** Workers Logs of a million callbacks, by volume. */
export interface WorkersLogsCost {
  eventsPerCallback: number;
  bytesPerCallback: number;
  invocationLogsPerCallback: number;
  usdPerMillionCallbacks: number;
  /** What each KiB of every invocation log would add to `usdPerMillionCallbacks`. */
  usdPerMillionCallbacksPerInvocationKiB: number;
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
    logBytes: per(counts.logBytes),
    workersLogsEvents: per(counts.logLines + invocations),
    invocationLogs: per(invocations),
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
  const workersLogs = workersLogsCost(operations, table);
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

/**
 * Workers Logs by volume: per GB ingested, and per GB-month stored for the retention (a month taken as 30 days),
 * at the marginal prices (the included 50 GB and 12 GB-months left out, like every allowance).
 */
export function workersLogsCost(operations: OperationsPerCallback, table: PriceTable): WorkersLogsCost {
  const usdPerGb =
    table.prices.workersLogsGbIngested.usdPerMillion / 1e6 +
    (table.prices.workersLogsGbMonthStored.usdPerMillion / 1e6) * (table.workersLogsRetentionDays / 30);
  // A million callbacks of `bytes` each: bytes × 1e6 / 1e9 GB.
  const usdPerMillion = (bytes: number) => (bytes / 1_000) * usdPerGb;
  return {
    eventsPerCallback: operations.workersLogsEvents,
    bytesPerCallback: operations.logBytes,
    invocationLogsPerCallback: operations.invocationLogs,
    usdPerMillionCallbacks: usdPerMillion(operations.logBytes),
    usdPerMillionCallbacksPerInvocationKiB: usdPerMillion(operations.invocationLogs * 1_024),
  };
}
