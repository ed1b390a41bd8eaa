/**
 * A process's CPU time and resident memory from /proc (Linux), summed over the process and
 * its descendants (nginx's master and workers): how a target server's cost is measured when
 * its pid is given (docs/targets.md). Elsewhere, or for a pid that is gone: undefined.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

function getconf(name: string, fallback: number): number {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}

let ticksPerS: number | undefined;
let pageBytes: number | undefined;

interface Stat {
  ppid: number;
  utime: number;
  stime: number;
  rssPages: number;
}

/** Fields of /proc/PID/stat after the `(comm)` (which may hold spaces and parentheses). */
function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15, rss 24.
  return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), rssPages: Number(f[21]) };
}

/** `pid` (first) and every descendant alive now (from /proc). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(Number(name));
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(children.get(p) ?? []));
  }
  return out;
}

export interface ProcSample {
  cpuUserMs: number;
  cpuSystemMs: number;
  rssMB: number;
  processes: number;
}

/** CPU ms (user, system) and RSS MB of `pid` and its descendants; undefined when `pid` is not running. */
export function sampleProcessTree(pid: number): ProcSample | undefined {
  if (!readStat(pid)) return undefined;
  ticksPerS ??= getconf('CLK_TCK', 100);
  pageBytes ??= getconf('PAGESIZE', 4096);
  let user = 0;
  let system = 0;
  let pages = 0;
  let processes = 0;
  for (const p of processTree(pid)) {
    const s = readStat(p);
    if (!s) continue;
    processes++;
    user += s.utime;
    system += s.stime;
    pages += s.rssPages;
  }
  return {
    cpuUserMs: (user * 1000) / ticksPerS,
    cpuSystemMs: (system * 1000) / ticksPerS,
    rssMB: (pages * pageBytes) / (1024 * 1024),
    processes,
  };
}
