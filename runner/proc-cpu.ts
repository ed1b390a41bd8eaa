/**
 * CPU time of load-generating processes as seen from outside them (docs/perf.md "Cost figures
 * in results.json"): user + system of a process and, optionally, of every process below it
 * (Chromium under the browser host), read from Linux's /proc. Elsewhere there is no reading:
 * null, and results.json says null ("not measured") rather than a guess.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every mainstream architecture. */
const TICKS_PER_S = 100;

/** One reading: summed CPU ms of the processes at an instant (epoch ms). */
export interface CpuReading {
  atMs: number;
  cpuMs: number;
}

interface Stat {
  ppid: number;
  ticks: number;
}

/** pid's parent and utime + stime (ticks), or null when it is gone or /proc is absent. */
function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may hold spaces: fields count after the last ')'.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  const ppid = Number(f[1]);
  const ticks = Number(f[11]) + Number(f[12]);
  return Number.isFinite(ticks) ? { ppid, ticks } : null;
}

/** Whether CPU can be read from outside (Linux /proc). */
export function canReadProcessCpu(): boolean {
  return readStat(process.pid) !== null;
}

/**
 * Summed CPU ms of `pids` (with `descendants`, of every process below them too, found through
 * their parents). Processes already gone count nothing. Null when /proc cannot be read.
 */
export function processCpuMs(pids: number[], descendants = false): number | null {
  if (!canReadProcessCpu()) return null;
  const roots = new Set(pids);
  let ticks = 0;
  if (!descendants) {
    for (const pid of roots) ticks += readStat(pid)?.ticks ?? 0;
    return (ticks * 1000) / TICKS_PER_S;
  }
  const all = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = readStat(pid);
    if (s) all.set(pid, s);
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
      if (roots.has(p)) return true;
      p = all.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, s] of all) if (inTree(pid)) ticks += s.ticks;
  return (ticks * 1000) / TICKS_PER_S;
}

/** A reading now, or null when CPU cannot be read. */
export function readCpu(pids: number[], descendants = false): CpuReading | null {
  const cpuMs = processCpuMs(pids, descendants);
  return cpuMs === null ? null : { atMs: Date.now(), cpuMs };
}

/** The first and last readings inside [fromMs, toMs] (null when fewer than two are). */
export function windowOf(
  readings: CpuReading[],
  fromMs: number,
  toMs: number,
): [CpuReading, CpuReading] | null {
  const inside = readings.filter((r) => r.atMs >= fromMs && r.atMs <= toMs);
  return inside.length >= 2 ? [inside[0], inside[inside.length - 1]] : null;
}
