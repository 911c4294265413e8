/**
 * CPU time of a process group's workerd processes from /proc/<pid>/stat lines, and CPU per callback. Pure: the
 * reading of /proc is bench/cpu.ts.
 */

/** The fields of one /proc/<pid>/stat line the bench uses. */
export interface ProcStat {
  pid: number;
  comm: string;
  pgrp: number;
  /** User and system CPU time, in clock ticks. */
  utime: number;
  stime: number;
}

/** Parses a /proc/<pid>/stat line; undefined when it is not one. `comm` may hold spaces and parentheses. */
export function parseProcStat(line: string): ProcStat | undefined {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const fields = line
    .slice(close + 2)
    .trim()
    .split(" ");
  // After ") ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime …
  const [pgrp, utime, stime] = [fields[2], fields[11], fields[12]].map(Number);
  const pid = Number(line.slice(0, open).trim());
  if (![pid, pgrp, utime, stime].every((n) => Number.isInteger(n))) return undefined;
  return { pid, comm: line.slice(open + 1, close), pgrp: pgrp ?? 0, utime: utime ?? 0, stime: stime ?? 0 };
}

/** CPU milliseconds of the `workerd` processes of group `pgid` among `stats`, with `ticksPerSecond`. */
export function workerdCpuMs(stats: readonly ProcStat[], pgid: number, ticksPerSecond: number): number {
  const ticks = stats
    .filter((stat) => stat.pgrp === pgid && stat.comm === "workerd")
    .reduce((total, stat) => total + stat.utime + stat.stime, 0);
  return (ticks * 1000) / ticksPerSecond;
}

/** CPU ms per callback between two samples; null when nothing was answered or a sample is missing. */
export function cpuMsPerCallback(
  before: number | null,
  after: number | null,
  callbacks: number,
): number | null {
  if (before === null || after === null || callbacks <= 0) return null;
  return (after - before) / callbacks;
}
