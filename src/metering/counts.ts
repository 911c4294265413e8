/**
 * The billable operations counted while the bench's metering is on (BENCH_METERING = "on"): one module-level
 * record per isolate. Under `wrangler dev` the Worker and all its Durable Objects share one isolate, so this one
 * record sees every request, write and subrequest of a run. Pure: no Workers API.
 */

/** What the receiver did, in Cloudflare's billing units, since the isolate started or the last reset. */
export interface MeterCounts {
  /** Requests to the Worker's fetch handler (the bench's own /_bench routes excluded). */
  workerRequests: number;
  /** Durable Object requests by binding: each RPC method call or fetch on a stub (one RPC session each). */
  objectRequests: Record<string, number>;
  /** Alarm invocations by class (billed as Durable Object requests). */
  alarms: Record<string, number>;
  /** Wall time (ms) during which each class had at least one handler running, summed over its instances. */
  objectActiveMs: Record<string, number>;
  /** Sum of `cursor.rowsWritten` of every `sql.exec`. */
  sqlRowsWritten: number;
  /** Sum of `cursor.rowsRead` of every `sql.exec`. */
  sqlRowsRead: number;
  /** `sql.exec` calls. */
  sqlStatements: number;
  /** `setAlarm` and `deleteAlarm` calls: each billed as one row written. */
  alarmWrites: number;
  /** Keys written or deleted through the asynchronous KV API of Durable Object storage: one row each. */
  kvRowsWritten: number;
  /** `deleteAll` calls (not priced: see bench/prices.json). */
  deleteAlls: number;
  /** D1 `meta.rows_written` and `meta.rows_read` of `run`, `all` and `batch` results. */
  d1RowsWritten: number;
  d1RowsRead: number;
  /** D1 statements run; `first` and `raw` results carry no `meta`, so their rows are not counted. */
  d1Statements: number;
  /** Messages sent to queues (`send`: 1, `sendBatch`: its length). */
  queueMessages: number;
  /** R2 Class A (put, list, multipart) and Class B (get, head) operations. */
  r2ClassA: number;
  r2ClassB: number;
  /** Outbound `fetch` calls of the Worker and its objects (not billed on Workers Standard; reported). */
  subrequests: number;
  /** Console lines written by the Worker and its objects: one Workers Logs event each. */
  logLines: number;
  /** Their UTF-8 bytes, each line with its newline: the volume Workers Logs bills from 2026-12-01. */
  logBytes: number;
}

/** A record of zeros. */
export function emptyCounts(): MeterCounts {
  return {
    workerRequests: 0,
    objectRequests: {},
    alarms: {},
    objectActiveMs: {},
    sqlRowsWritten: 0,
    sqlRowsRead: 0,
    sqlStatements: 0,
    alarmWrites: 0,
    kvRowsWritten: 0,
    deleteAlls: 0,
    d1RowsWritten: 0,
    d1RowsRead: 0,
    d1Statements: 0,
    queueMessages: 0,
    r2ClassA: 0,
    r2ClassB: 0,
    subrequests: 0,
    logLines: 0,
    logBytes: 0,
  };
}

/** The isolate's counts; the wrappers of this folder add to it. */
// Pure: a build without the metering (wrangler.toml's [define]) drops it with the rest of this folder.
export const meter: MeterCounts = /* @__PURE__ */ emptyCounts();

type NumberField = { [K in keyof MeterCounts]: MeterCounts[K] extends number ? K : never }[keyof MeterCounts];
type MapField = Exclude<keyof MeterCounts, NumberField>;

/** Adds `amount` to a scalar count. */
export function count(field: NumberField, amount = 1): void {
  meter[field] += amount;
}

/** Adds `amount` to the count of `key` in a per-binding or per-class count. */
export function countFor(field: MapField, key: string, amount = 1): void {
  const counts = meter[field];
  counts[key] = (counts[key] ?? 0) + amount;
}

/** A copy of the counts. */
export function snapshot(): MeterCounts {
  return structuredClone(meter);
}

/** Sets every count back to zero. */
export function resetCounts(): void {
  Object.assign(meter, emptyCounts());
}
