/**
 * Samples the CPU time of the workerd processes of a `wrangler dev` process group from /proc (Linux only;
 * elsewhere the figures are null). Clock ticks per second from `getconf CLK_TCK` (100 when it cannot be read,
 * Linux's value on every common architecture).
 */
import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { type ProcStat, parseProcStat, workerdCpuMs } from "./lib/cpu.ts";

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

const TICKS_PER_SECOND = clockTicks();

/** CPU ms used so far by the workerd processes of group `pgid`; null without /proc or without such a process. */
export async function sampleWorkerdCpu(pgid: number): Promise<number | null> {
  if (pgid <= 0) return null;
  const names = await readdir("/proc").catch(() => [] as string[]);
  const stats: ProcStat[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const line = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const stat = parseProcStat(line);
    if (stat?.pgrp === pgid) stats.push(stat);
  }
  if (!stats.some((stat) => stat.comm === "workerd")) return null;
  return workerdCpuMs(stats, pgid, TICKS_PER_SECOND);
}
