/**
 * The server's figures in results.json (`server.cpuPct`, `rssMB`, `eventLoopP99Ms`) and in its
 * per-second series, by one rule for every engine: over the measured window (after ramp-up and
 * warm-up), from the stats samples the runner took about every second. docs/perf.md "Cost figures in results.json".
 */
import type { ServerStats } from '../servers/stats.ts';
import { round3 } from './results-io.ts';

/** What the runner sampled from the server process (GET /stats shape, trimmed). */
export interface ServerSample {
  atMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rssMB: number;
  /** Event-loop delay p99 over the second before atMs. */
  eventLoopP99Ms: number;
  connections: number;
}

/** A sample from the server's stats, taken now. */
export function sampleOf(stats: ServerStats): ServerSample {
  const connections = Object.values(stats.protocols).reduce((a, p) => a + (p?.connections ?? 0), 0);
  return {
    atMs: Date.now(),
    cpuUserMs: stats.process.cpuUserMs,
    cpuSystemMs: stats.process.cpuSystemMs,
    rssMB: stats.process.rssMB,
    eventLoopP99Ms: stats.process.eventLoopP99Ms,
    connections,
  };
}

/** CPU ms (user + system) the server used between two samples. */
export function cpuMsBetween(a: ServerSample, b: ServerSample): number {
  return b.cpuUserMs + b.cpuSystemMs - (a.cpuUserMs + a.cpuSystemMs);
}

/** CPU % of one core between two samples (100 = one core busy; 0 when no time passed). */
export function cpuPctBetween(a: ServerSample, b: ServerSample): number {
  const wallMs = b.atMs - a.atMs;
  return wallMs > 0 ? round3((cpuMsBetween(a, b) / wallMs) * 100) : 0;
}

/** The samples taken inside [fromMs, toMs]; all of them when fewer than two fall inside. */
export function samplesInWindow(samples: ServerSample[], fromMs: number, toMs: number): ServerSample[] {
  const inside = samples.filter((s) => s.atMs >= fromMs && s.atMs <= toMs);
  return inside.length >= 2 ? inside : samples;
}

/**
 * The RunResult `server` figures over the measured window [fromMs, toMs]: CPU % between the
 * first and the last sample inside it (the mean of the per-second series), the peak RSS of
 * those samples and the worst event-loop p99 of the seconds between them (a sample's p99
 * covers the second before it, so the first sample's does not count).
 */
export function serverFigures(
  samples: ServerSample[],
  fromMs: number,
  toMs: number,
): { cpuPct: number; rssMB: number; eventLoopP99Ms: number } {
  const w = samplesInWindow(samples, fromMs, toMs);
  if (w.length < 2) return { cpuPct: 0, rssMB: round3(w[0]?.rssMB ?? 0), eventLoopP99Ms: 0 };
  return {
    cpuPct: cpuPctBetween(w[0], w[w.length - 1]),
    rssMB: round3(Math.max(...w.map((s) => s.rssMB))),
    eventLoopP99Ms: round3(Math.max(...w.slice(1).map((s) => s.eventLoopP99Ms))),
  };
}
