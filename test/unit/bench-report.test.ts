/**
 * The bench's verdicts (bench/lib/report.ts): the targets of issues #15 and #12, the warnings about unreliable
 * runs, and the table.
 */
import { describe, expect, it } from "vitest";
import { costPerMillion, operationsPerCallback, type PriceTable } from "../../bench/lib/cost.ts";
import { formatMarkdown } from "../../bench/lib/markdown.ts";
import { DEFAULT_MIX } from "../../bench/lib/mix.ts";
import {
  type BenchResult,
  checkTargets,
  formatTable,
  type RunCost,
  runWarnings,
} from "../../bench/lib/report.ts";
import prices from "../../bench/prices.json";
import { emptyCounts } from "../../src/metering/counts.ts";

const load = { requestsPerSec: 100, p50Ms: 10, p90Ms: 20, p99Ms: 30, errors: 0, non2xx: 0, socketErrors: 0 };
const forwarded = {
  lagP50Ms: 40,
  lagP90Ms: 100,
  lagP99Ms: 400,
  lagMaxMs: 600,
  expected: 1000,
  received: 1000,
  lost: 0,
  duplicateDeliveries: 0,
};

/** A metered run of 2,000 callbacks: 1.5 SQLite rows and 0.5 D1 rows written and two log lines each. */
function metered(): RunCost {
  const counts = {
    ...emptyCounts(),
    workerRequests: 2000,
    sqlRowsWritten: 2600,
    alarmWrites: 400,
    d1RowsWritten: 1000,
    logLines: 4000,
    logBytes: 1_000_000,
  };
  counts.objectRequests = { MESSAGE_TRACKER: 2000 };
  const operations = operationsPerCallback(counts, 2000, 1.5);
  return {
    callbacks: 2000,
    cpuMsPerCallback: 1.5,
    counts,
    operations,
    cost: costPerMillion(operations, prices as PriceTable, 8000),
  };
}

function result(): Omit<BenchResult, "targets" | "warnings"> {
  return {
    timestamp: "2025-01-01T00:00:00.000Z",
    machine: {
      cores: 2,
      cpuModel: "x",
      nodeVersion: "v24",
      wranglerVersion: "4",
      workerdVersion: "1",
      platform: "p",
    },
    params: {
      duration: 20,
      concurrency: 32,
      seed: 1,
      mix: DEFAULT_MIX,
      order: "",
      receiverVars: {},
      localObservability: "false",
      persistence: "disk",
    },
    ingest: {
      ...load,
      timeouts: 0,
      completed: 2000,
      durationS: 20.1,
      messages: 900,
      accepted: 1900,
      duplicates: 40,
    },
    baseline: { ...load, requestsPerSec: 180, timeouts: 0, completed: 3600, durationS: 20.0 },
    ratio: 100 / 180,
    forwarding: {
      lagP50Ms: 50,
      lagP90Ms: 200,
      lagP99Ms: 900,
      lagMaxMs: 1200,
      expected: 1900,
      received: 1900,
      lost: 0,
      duplicateDeliveries: 0,
      unacknowledged: 3,
      badSignatures: 0,
      drainMs: 200,
      lostSample: [],
    },
    floor: {
      ...load,
      requestsPerSec: 110,
      timeouts: 0,
      completed: 2200,
      durationS: 20,
      accepted: 2100,
      duplicates: 40,
      forwarding: forwarded,
    },
    throughput: {
      disk: {
        floorRequestsPerSec: 110,
        receiverRequestsPerSec: 100,
        ratio: 100 / 110,
        floorCpuMsPerCallback: 1,
        receiverCpuMsPerCallback: 1.5,
      },
      tmpfs: {
        floorRequestsPerSec: 200,
        receiverRequestsPerSec: 170,
        ratio: 0.85,
        floorCpuMsPerCallback: 1,
        receiverCpuMsPerCallback: 1.4,
      },
    },
    cpu: { baselineMsPerCallback: 0.3, floorMsPerCallback: 1, receiverMsPerCallback: 1.5, ratio: 1.5 },
    metering: { floor: metered(), receiver: metered(), destinations: metered() },
    cost: metered().cost,
    halfSaturation: {
      rate: 50,
      ingest: { ...load, p99Ms: 120, timeouts: 0, completed: 1000, durationS: 20 },
      forwarding: forwarded,
    },
    bundle: { gzipBytes: 30_000, rawBytes: 90_000 },
    storage: {
      bytes: 15_000_000,
      files: 950,
      messages: 900,
      bytesPerMessage: 15_700,
      messageDatabaseBytes: 16_384,
      beforeCheckpoint: { bytes: 40_000_000, walBytes: 20_000_000 },
      measured: "",
    },
    destinations: {
      ingest: { ...load, timeouts: 0, completed: 1900, durationS: 20.1, accepted: 1800, duplicates: 38 },
      forwarding: {
        lagP50Ms: 60,
        lagP90Ms: 250,
        lagP99Ms: 1200,
        lagMaxMs: 1500,
        expected: 3600,
        received: 3600,
        lost: 0,
        duplicateDeliveries: 0,
        perDestination: [],
        badSignatures: 0,
        drainMs: 400,
      },
      lagP99Ratio: 1200 / 900,
    },
  };
}

describe("checkTargets", () => {
  it("passes a run that meets every target", () => {
    const run = result();
    run.destinations.halfSaturation = {
      rate: 80,
      ingest: run.destinations.ingest,
      forwarding: { ...run.destinations.forwarding, lost: 0 },
      lagP99Ratio: 1.2,
    };
    expect(checkTargets(run).filter((check) => !check.ok)).toEqual([]);
  });

  it("misses each target just past its limit", () => {
    const run = result();
    run.throughput.disk = { ...(run.throughput.disk ?? ({} as never)), ratio: 0.79 };
    run.throughput.tmpfs = { ...(run.throughput.tmpfs ?? ({} as never)), ratio: 0.79 };
    run.cpu.ratio = 1.51;
    const receiver = metered();
    if (receiver.operations) {
      receiver.operations.sqlRowsWritten = 2.01;
      receiver.operations.d1RowsWritten = 1.01;
    }
    run.metering.receiver = receiver;
    run.cost = { ...(run.cost ?? ({} as never)), usdPerMillionCallbacks: 3.01 };
    run.halfSaturation.ingest.p99Ms = 301;
    run.halfSaturation.forwarding.lagP99Ms = 1001;
    run.halfSaturation.ingest.errors = 1;
    run.halfSaturation.forwarding.lost = 1;
    run.ingest.errors = 1;
    run.forwarding.lost = 1;
    run.bundle.gzipBytes = 64 * 1024 + 1;
    run.storage.bytesPerMessage = 16 * 1024 + 1;
    run.destinations.forwarding.lost = 1;
    run.destinations.lagP99Ratio = 1.51;
    run.deadLetters = { events: 5000, listed: 4999, maxRequestMs: 1001 };
    expect(checkTargets(run).filter((check) => check.ok)).toEqual([]);
  });

  it("checks the dead-lettering scenario only when it ran, and the /dev/shm pass only when run", () => {
    const run = result();
    run.throughput.tmpfs = null;
    const names = checkTargets(run).map((check) => check.name);
    expect(names).not.toContain("deadLetters.listed");
    expect(names).not.toContain("throughput.tmpfs.ratio");
    run.deadLetters = { events: 5000, listed: 5000, maxRequestMs: 900 };
    expect(
      checkTargets(run)
        .filter((check) => check.name.startsWith("deadLetters."))
        .map((c) => c.ok),
    ).toEqual([true, true]);
  });

  it("misses the half-saturation lag target when nothing was forwarded", () => {
    const run = result();
    run.halfSaturation.forwarding.lagP99Ms = null;
    expect(checkTargets(run).find((check) => check.name === "halfSaturation.lagP99Ms")?.ok).toBe(false);
  });

  it("misses the cost target when the receiver was not metered", () => {
    const run = result();
    run.cost = null;
    expect(checkTargets(run).find((check) => check.name === "cost.usdPerMillionCallbacks")?.ok).toBe(false);
  });

  it("misses #12's ratio when the three destinations' half-saturation pass did not run", () => {
    const run = result();
    const halfChecks = () =>
      checkTargets(run).filter((check) => check.name.startsWith("destinations.halfSaturation."));
    expect(halfChecks().map((check) => [check.name, check.ok])).toEqual([
      ["destinations.halfSaturation.lagP99Ratio", false],
    ]);
    run.destinations.halfSaturation = {
      rate: 80,
      ingest: run.destinations.ingest,
      forwarding: { ...run.destinations.forwarding, lost: 0 },
      lagP99Ratio: 1.49,
    };
    expect(halfChecks().map((check) => [check.name, check.ok])).toEqual([
      ["destinations.halfSaturation.lagP99Ratio", true],
      ["destinations.halfSaturation.lost", true],
    ]);
    run.destinations.halfSaturation.lagP99Ratio = 1.51;
    run.destinations.halfSaturation.forwarding.lost = 1;
    expect(halfChecks().map((check) => check.ok)).toEqual([false, false]);
  });

  it("checks #12's lag ratio at half saturation, not saturated, and misses it when a pass forwarded nothing", () => {
    const run = result();
    run.destinations.lagP99Ratio = 16;
    expect(checkTargets(run).map((check) => check.name)).not.toContain("destinations.lagP99Ratio");
    run.destinations.halfSaturation = {
      rate: 80,
      ingest: run.destinations.ingest,
      forwarding: { ...run.destinations.forwarding, lost: 0 },
      lagP99Ratio: null,
    };
    const ratio = checkTargets(run).find((check) => check.name === "destinations.halfSaturation.lagP99Ratio");
    expect(ratio?.ok).toBe(false);
  });
});

describe("runWarnings", () => {
  it("says nothing about a clean run", () => {
    expect(runWarnings(result())).toEqual([]);
  });

  it("warns when a load overran its duration, as when the machine stalls", () => {
    const run = result();
    run.ingest.durationS = 50.2;
    expect(runWarnings(run)).toEqual([
      "the receiver load ran 50.2 s instead of 20 s: the machine stalled; run again",
    ]);
  });

  it("warns about forwarded requests whose signature did not verify", () => {
    const run = result();
    run.forwarding.badSignatures = 2;
    run.destinations.forwarding.badSignatures = 1;
    expect(runWarnings(run)).toEqual(["3 forwarded requests had a signature that did not verify"]);
  });

  it("warns when the metered Worker requests are not the callbacks answered (more than one isolate)", () => {
    const run = result();
    const receiver = metered();
    if (receiver.counts) receiver.counts.workerRequests = 1000;
    run.metering.receiver = receiver;
    expect(runWarnings(run)).toEqual([
      "the receiver run's metering counted 1000 Worker requests for 2000 answered: its counts are not the whole run's",
    ]);
  });

  it("allows the half-saturation passes twice the duration, and warns past that", () => {
    const run = result();
    run.halfSaturation.ingest.durationS = 40.1;
    expect(runWarnings(run)).toEqual([]);
    run.halfSaturation.ingest.durationS = 60;
    expect(runWarnings(run)).toEqual([
      "the half-saturation receiver load ran 60 s instead of 40 s: the machine stalled; run again",
    ]);
  });

  it("warns when the three-destination load overran its duration", () => {
    const run = result();
    run.destinations.ingest.durationS = 31;
    expect(runWarnings(run)).toEqual([
      "the three-destination receiver load ran 31 s instead of 20 s: the machine stalled; run again",
    ]);
  });
});

describe("formatTable", () => {
  it("shows the three Workers, the cost and every target", () => {
    const run = result();
    const table = formatTable({ ...run, targets: checkTargets(run), warnings: [] });
    expect(table).toContain("floor");
    expect(table).toContain("per million callbacks");
    // Two lines and two invocations (the Worker's, the tracker's) per callback, at $0.60 per million events.
    // 500 bytes a callback: 0.5 GB per million, × (0.25 + 0.10 × 7 / 30); 2 invocation logs of 1 KiB: 2.048 GB.
    expect(table).toContain("Workers Logs 500 bytes (4 events) per callback +$0.137 per million callbacks");
    expect(table).toContain("+$0.560 per KiB of each invocation log");
    expect(table.split("\n").filter((line) => /^(ok {2}|MISS)/.test(line)).length).toBe(
      checkTargets(run).length,
    );
  });
});

describe("formatMarkdown", () => {
  it("writes the README's table from the result, one row per target", () => {
    const run = result();
    const markdown = formatMarkdown({ ...run, targets: checkTargets(run), warnings: [] });
    expect(markdown).toContain("| receiver ÷ floor, disk | 0.91 |");
    expect(markdown).toMatch(/\| Workers Logs, not in that cost .* \| 500 B, \$0\.137; 4; \+\$0\.560 \|/);
    expect(markdown.split("\n").filter((line) => line.startsWith("| `")).length).toBe(
      checkTargets(run).length,
    );
  });
});
