/**
 * The human-readable table printed at the end of a bench run: the three Workers side by side, the forwarding,
 * the passes on disk and /dev/shm, half saturation, billable operations and cost, and the targets. Pure.
 */
import type { BenchResult, LoadFigures, RunCost } from "./result.ts";

function figure(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return "-";
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function loadRows(columns: readonly LoadFigures[]): Array<[string, ...string[]]> {
  const row = (label: string, pick: (load: LoadFigures) => number) =>
    [label, ...columns.map((load) => figure(pick(load)))] as [string, ...string[]];
  return [
    row("requests/s", (load) => load.requestsPerSec),
    row("p50 ms", (load) => load.p50Ms),
    row("p99 ms", (load) => load.p99Ms),
    row("errors", (load) => load.errors),
    row("completed", (load) => load.completed),
  ];
}

function operationLines(name: string, run: RunCost): string[] {
  const ops = run.operations;
  if (!ops || !run.cost) return [`${name.padEnd(14)} not metered`];
  const cost = run.cost;
  return [
    `${name.padEnd(14)} per callback: worker requests ${figure(ops.workerRequests, 2)}, object requests ${figure(ops.objectRequests, 2)} (alarms ${figure(ops.alarms, 2)}), SQLite rows written ${figure(ops.sqlRowsWritten, 2)} (alarm writes ${figure(ops.alarmWrites, 2)}), D1 rows written ${figure(ops.d1RowsWritten, 2)}, queue ops ${figure(ops.queueOperations, 2)}, R2 A/B ${figure(ops.r2ClassA, 2)}/${figure(ops.r2ClassB, 2)}, subrequests ${figure(ops.subrequests, 2)}, CPU ${figure(ops.workerCpuMs, 2)} ms, log lines ${figure(ops.logLines, 2)}`,
    `${"".padEnd(14)} $${figure(cost.usdPerMillionCallbacks, 2)} per million callbacks (${cost.lines
      .filter((line) => line.usdPerMillionCallbacks >= 0.005)
      .map((line) => `${line.item} ${figure(line.usdPerMillionCallbacks, 2)}`)
      .join(", ")}); storage for a month +$${figure(cost.storageUsdPerMillionCallbacksMonth, 2)}`,
    `${"".padEnd(14)} Workers Logs ${figure(cost.workersLogs.bytesPerCallback, 0)} bytes (${figure(cost.workersLogs.eventsPerCallback, 2)} events) per callback +$${figure(cost.workersLogs.usdPerMillionCallbacks, 3)} per million callbacks (with them $${figure(cost.withWorkersLogsUsdPerMillionCallbacks, 2)}; +$${figure(cost.workersLogs.usdPerMillionCallbacksPerInvocationKiB, 3)} per KiB of each invocation log)`,
  ];
}

/** The table printed at the end of a run. */
export function formatTable(result: BenchResult): string {
  const { ingest, baseline, floor, forwarding, bundle, storage, destinations, cpu, throughput } = result;
  const half = result.halfSaturation;
  const rows: Array<[string, ...string[]]> = [
    ["", "receiver", "floor", "baseline"],
    ...loadRows([ingest, floor, baseline]),
    [
      "CPU ms/callback",
      figure(cpu.receiverMsPerCallback, 2),
      figure(cpu.floorMsPerCallback, 2),
      figure(cpu.baselineMsPerCallback, 2),
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(
    ([label, ...cells]) => `${label.padEnd(width)}  ${cells.map((cell) => cell.padStart(10)).join("  ")}`,
  );
  const pass = (name: string, p: BenchResult["throughput"]["disk"]) =>
    p
      ? `${name.padEnd(22)}receiver ${figure(p.receiverRequestsPerSec)} / floor ${figure(p.floorRequestsPerSec)} requests/s = ${figure(p.ratio, 3)}; CPU ms/callback ${figure(p.receiverCpuMsPerCallback, 2)} / ${figure(p.floorCpuMsPerCallback, 2)}`
      : `${name.padEnd(22)}not run`;
  lines.push(
    "",
    pass("on disk", throughput.disk),
    pass("on /dev/shm", throughput.tmpfs),
    `CPU receiver ÷ floor  ${figure(cpu.ratio, 2)} (${result.params.persistence})`,
    `receiver ÷ baseline   ${figure(result.ratio, 3)}`,
    `floor forwarding      lag p50 ${figure(floor.forwarding.lagP50Ms)} ms, p99 ${figure(floor.forwarding.lagP99Ms)} ms, ${floor.forwarding.received}/${floor.forwarding.expected} (lost ${floor.forwarding.lost})`,
    `forwarding lag        p50 ${figure(forwarding.lagP50Ms)} ms, p99 ${figure(forwarding.lagP99Ms)} ms, max ${figure(forwarding.lagMaxMs)} ms`,
    `forwarded             ${forwarding.received}/${forwarding.expected} (lost ${forwarding.lost}, duplicate deliveries ${forwarding.duplicateDeliveries}, drain ${forwarding.drainMs} ms)`,
    `half saturation       ${figure(half.rate)} requests/s offered: ${figure(half.ingest.requestsPerSec)} answered, ack p50 ${figure(half.ingest.p50Ms)} ms, p99 ${figure(half.ingest.p99Ms)} ms; lag p50 ${figure(half.forwarding.lagP50Ms)} ms, p99 ${figure(half.forwarding.lagP99Ms)} ms; errors ${half.ingest.errors}, lost ${half.forwarding.lost}`,
    `bundle                ${bundle.gzipBytes} bytes gzip (${bundle.rawBytes} raw; console assets not included)`,
    `storage               ${figure(storage.bytesPerMessage, 0)} bytes/message (${storage.bytes} bytes, ${storage.messages} messages; one message's database ${storage.messageDatabaseBytes})`,
    "",
    `three destinations    ${figure(destinations.ingest.requestsPerSec)} requests/s, p99 answer ${figure(destinations.ingest.p99Ms)} ms, errors ${destinations.ingest.errors}`,
    `  forwarding lag      p50 ${figure(destinations.forwarding.lagP50Ms)} ms, p99 ${figure(destinations.forwarding.lagP99Ms)} ms, max ${figure(destinations.forwarding.lagMaxMs)} ms (p99 ${figure(destinations.lagP99Ratio, 2)} × one destination's)`,
    `  delivered           ${destinations.forwarding.received}/${destinations.forwarding.expected} (lost ${destinations.forwarding.lost}, duplicate deliveries ${destinations.forwarding.duplicateDeliveries}, drain ${destinations.forwarding.drainMs} ms)`,
    ...destinations.forwarding.perDestination.map(
      (d) => `  ${d.name.padEnd(18)}  ${d.received}/${d.expected}, lag p99 ${figure(d.lagP99Ms)} ms`,
    ),
    ...(destinations.halfSaturation
      ? [
          `  at half saturation  ${figure(destinations.halfSaturation.rate)} requests/s offered: lag p50 ${figure(destinations.halfSaturation.forwarding.lagP50Ms)} ms, p99 ${figure(destinations.halfSaturation.forwarding.lagP99Ms)} ms (p99 ${figure(destinations.halfSaturation.lagP99Ratio, 2)} × one destination's at half saturation), lost ${destinations.halfSaturation.forwarding.lost}`,
        ]
      : []),
    "",
    ...operationLines("receiver", result.metering.receiver),
    ...operationLines("floor", result.metering.floor),
    ...operationLines("3 destinations", result.metering.destinations),
    ...(result.deadLetters
      ? [
          `dead letters          ${result.deadLetters.listed}/${result.deadLetters.events} listed, slowest request ${figure(result.deadLetters.maxRequestMs)} ms`,
        ]
      : []),
    "",
    ...result.targets.map(
      (check) =>
        `${check.ok ? "ok  " : "MISS"}  ${check.name.padEnd(44)} ${figure(check.value, 3).padStart(10)}  ${check.target}`,
    ),
    ...result.warnings.map((warning) => `WARNING: ${warning}`),
  );
  return lines.join("\n");
}
