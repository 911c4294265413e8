/**
 * The README's performance table, written from a bench result beside its JSON (`latest.md` beside
 * `latest.json`), so that the table in README.md is copied from a run's file, never typed. Pure.
 */
import type { BenchResult, LoadFigures } from "./result.ts";

function n(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return "–";
  return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(digits);
}

function loadRow(name: string, load: LoadFigures, cpu: number | null): string {
  return `| ${name} | ${n(load.requestsPerSec)} | ${n(load.p50Ms)} | ${n(load.p99Ms)} | ${n(load.errors)} | ${n(cpu, 2)} |`;
}

/** The performance table (Markdown) of one result, with its targets. */
export function formatMarkdown(result: BenchResult): string {
  const { throughput, halfSaturation: half, cost } = result;
  const ops = result.metering.receiver.operations;
  const lines = [
    `Run of ${result.timestamp.slice(0, 10)} (${result.machine.cores} cores, ${result.machine.cpuModel}; ${result.params.duration} s at ${result.params.concurrency} connections, \`--persist-to\` on ${result.params.persistence}):`,
    "",
    "| Worker | requests/s | p50 ms | p99 ms | errors | CPU ms/callback |",
    "|---|---|---|---|---|---|",
    loadRow("receiver", result.ingest, result.cpu.receiverMsPerCallback),
    loadRow("floor", result.floor, result.cpu.floorMsPerCallback),
    loadRow("hello-world baseline", result.baseline, result.cpu.baselineMsPerCallback),
    "",
    "| Figure | Value |",
    "|---|---|",
    `| receiver ÷ floor, disk | ${n(throughput.disk?.ratio, 2)} |`,
    `| receiver ÷ floor, /dev/shm | ${n(throughput.tmpfs?.ratio, 2)} |`,
    `| CPU receiver ÷ floor | ${n(result.cpu.ratio, 2)} |`,
    `| SQLite rows written per callback | ${n(ops?.sqlRowsWritten, 2)} |`,
    `| D1 rows written per callback | ${n(ops?.d1RowsWritten, 2)} |`,
    `| Durable Object requests per callback (alarms included) | ${n(ops?.objectRequests, 2)} |`,
    `| cost per million callbacks (one destination and the index, list prices of ${cost?.pricesDate ?? "–"}) | $${n(cost?.usdPerMillionCallbacks, 2)} |`,
    `| Workers Logs, not in that cost (by volume): bytes of log lines per callback, per million callbacks; events per callback; + per KiB of each invocation log | ${n(cost?.workersLogs.bytesPerCallback, 0)} B, $${n(cost?.workersLogs.usdPerMillionCallbacks, 3)}; ${n(cost?.workersLogs.eventsPerCallback, 2)}; +$${n(cost?.workersLogs.usdPerMillionCallbacksPerInvocationKiB, 3)} |`,
    `| at half saturation (${n(half.rate)}/s): ack p99, lag p99 | ${n(half.ingest.p99Ms)} ms, ${n(half.forwarding.lagP99Ms)} ms |`,
    `| at half saturation: errors, lost | ${half.ingest.errors}, ${half.forwarding.lost} |`,
    `| bundle (gzip, console assets excluded) | ${n(result.bundle.gzipBytes)} bytes |`,
    `| storage per message | ${n(result.storage.bytesPerMessage)} bytes |`,
    `| three destinations: lag p99 ÷ one destination's, saturated | ${n(result.destinations.lagP99Ratio, 2)} |`,
    `| three destinations: lag p99 ÷ one destination's, at half saturation | ${n(result.destinations.halfSaturation?.lagP99Ratio, 2)} |`,
    "",
    "| Target | Value | Met |",
    "|---|---|---|",
    ...result.targets.map(
      (t) => `| \`${t.name}\` ${t.target} | ${n(t.value, 3)} | ${t.ok ? "yes" : "**no**"} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
