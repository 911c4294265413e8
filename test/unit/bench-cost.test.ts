/**
 * Billable operations per callback and their cost (bench/lib/cost.ts), the Workers Logs events apart, and the CPU
 * figures from /proc (bench/lib/cpu.ts).
 */
import { describe, expect, it } from "vitest";
import {
  costPerMillion,
  operationsPerCallback,
  PRICED_ITEMS,
  type PriceTable,
} from "../../bench/lib/cost.ts";
import { cpuMsPerCallback, parseProcStat, workerdCpuMs } from "../../bench/lib/cpu.ts";
import prices from "../../bench/prices.json";
import { emptyCounts } from "../../src/metering/counts.ts";

const table = prices as PriceTable;

describe("operationsPerCallback", () => {
  it("divides by the callbacks and counts alarms as requests and alarm writes as rows written", () => {
    const counts = {
      ...emptyCounts(),
      workerRequests: 1000,
      objectRequests: { MESSAGE_TRACKER: 1000, DEAD_LETTERS: 10 },
      alarms: { MessageTracker: 990 },
      objectActiveMs: { MessageTracker: 10_000 },
      sqlRowsWritten: 1500,
      alarmWrites: 500,
      kvRowsWritten: 0,
      d1RowsWritten: 1200,
      queueMessages: 100,
    };
    const ops = operationsPerCallback(counts, 1000, 2);
    expect(ops.workerRequests).toBe(1);
    expect(ops.objectRequests).toBe(2);
    expect(ops.alarms).toBeCloseTo(0.99);
    expect(ops.sqlRowsWritten).toBe(2);
    expect(ops.d1RowsWritten).toBeCloseTo(1.2);
    expect(ops.queueOperations).toBeCloseTo(0.3);
    expect(ops.objectGbSeconds).toBeCloseTo((10 * 0.128) / 1000);
    expect(ops.workerCpuMs).toBe(2);
  });

  it("counts Workers Logs events: each log line, and an invocation log per request (Worker, objects) and alarm", () => {
    const counts = {
      ...emptyCounts(),
      workerRequests: 1000,
      objectRequests: { MESSAGE_TRACKER: 1000, DESTINATION_HEALTH: 10 },
      alarms: { MessageTracker: 500 },
      logLines: 2000,
    };
    const ops = operationsPerCallback(counts, 1000, null);
    expect(ops.logLines).toBe(2);
    expect(ops.workersLogsEvents).toBeCloseTo(2 + 1 + 1.01 + 0.5);
    expect(ops.invocationLogs).toBeCloseTo(1 + 1.01 + 0.5);
  });

  it("gives zeros, not NaN, when nothing was answered", () => {
    const ops = operationsPerCallback(emptyCounts(), 0, null);
    expect(Object.values(ops).every((value) => value === 0)).toBe(true);
  });
});

describe("costPerMillion", () => {
  it("sums every line item at its price per million", () => {
    const ops = operationsPerCallback({ ...emptyCounts(), workerRequests: 1, sqlRowsWritten: 2 }, 1, 1);
    const cost = costPerMillion(ops, table);
    // 1 request × $0.30 + 1 CPU-ms × $0.02 + 2 rows × $1.00
    expect(cost.usdPerMillionCallbacks).toBeCloseTo(2.32);
    expect(cost.lines.map((line) => line.item)).toEqual([...PRICED_ITEMS]);
    expect(cost.pricesDate).toBe(table.date);
    expect(cost.storageUsdPerMillionCallbacksMonth).toBeNull();
  });

  it("prices the Workers Logs bytes apart from the operations, ingested and stored, and gives the two together", () => {
    const counts = { ...emptyCounts(), workerRequests: 1, logLines: 3, logBytes: 3_000 };
    const cost = costPerMillion(operationsPerCallback(counts, 1, 0), table);
    // 1 request × $0.30 in the operations. Apart: 3,000 bytes a callback are 3 GB per million callbacks,
    // $0.25 per GB ingested and $0.10 per GB-month stored for 7 of 30 days: 3 × (0.25 + 0.1 × 7 / 30).
    expect(table.workersLogsRetentionDays).toBe(7);
    expect(cost.usdPerMillionCallbacks).toBeCloseTo(0.3);
    expect(cost.workersLogs).toMatchObject({
      eventsPerCallback: 4,
      bytesPerCallback: 3_000,
      invocationLogsPerCallback: 1,
    });
    expect(cost.workersLogs.usdPerMillionCallbacks).toBeCloseTo(3 * (0.25 + (0.1 * 7) / 30));
    // Each KiB of the one invocation log: 1.024 GB per million callbacks.
    expect(cost.workersLogs.usdPerMillionCallbacksPerInvocationKiB).toBeCloseTo(
      1.024 * (0.25 + (0.1 * 7) / 30),
    );
    expect(cost.withWorkersLogsUsdPerMillionCallbacks).toBeCloseTo(
      0.3 + cost.workersLogs.usdPerMillionCallbacks,
    );
    expect(cost.lines.map((line) => line.item)).not.toContain("workersLogsGbIngested");
  });

  it("prices a month of storage apart from the operations", () => {
    const ops = operationsPerCallback(emptyCounts(), 1, 0);
    // 10 KB per callback: 10 GB per million callbacks, $0.20 per GB-month.
    expect(costPerMillion(ops, table, 10_000).storageUsdPerMillionCallbacksMonth).toBeCloseTo(2);
    expect(costPerMillion(ops, table, 10_000).usdPerMillionCallbacks).toBe(0);
  });

  it("has a dated price with a source for every line item", () => {
    expect(table.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const item of [
      ...PRICED_ITEMS,
      "workersLogsGbIngested",
      "workersLogsGbMonthStored",
      "sqlStorageGbMonth",
    ] as const) {
      expect(table.prices[item].usdPerMillion).toBeGreaterThan(0);
      expect(table.prices[item].source).toMatch(/^https:\/\/developers\.cloudflare\.com\//);
    }
  });
});

describe("the CPU figures", () => {
  const line = (pid: number, comm: string, pgrp: number, utime: number, stime: number) =>
    `${pid} (${comm}) S 1 ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0 ${utime} ${stime} 0 0 20 0 8 0 100 1000 10`;

  it("reads pid, comm, process group and CPU ticks, with a comm holding spaces and parentheses", () => {
    expect(parseProcStat(line(42, "work (x) d", 7, 150, 50))).toEqual({
      pid: 42,
      comm: "work (x) d",
      pgrp: 7,
      utime: 150,
      stime: 50,
    });
    expect(parseProcStat("")).toBeUndefined();
  });

  it("adds up the workerd processes of the group only, in ms", () => {
    const stats = [
      line(1, "workerd", 7, 100, 20),
      line(2, "node", 7, 500, 0),
      line(3, "workerd", 8, 900, 0),
    ].map((l) => parseProcStat(l) ?? { pid: 0, comm: "", pgrp: 0, utime: 0, stime: 0 });
    expect(workerdCpuMs(stats, 7, 100)).toBe(1200);
  });

  it("divides the CPU between two samples by the callbacks answered", () => {
    expect(cpuMsPerCallback(1000, 3000, 1000)).toBe(2);
    expect(cpuMsPerCallback(null, 3000, 1000)).toBeNull();
    expect(cpuMsPerCallback(1000, 3000, 0)).toBeNull();
  });
});
