/**
 * The rules every capacity probe shares: the SLO a step must keep (`--slo p99=100ms`, checked
 * against one step's figures; every step must also run without errors, and an autocannon step
 * must achieve its rate, else the server fell behind), where the next step goes (geometric
 * steps up ×factor until one fails, then bisection between the last good and the first bad),
 * and the probe as plain text (one line per step, one table at the end).
 */

import { CAPACITY_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import type { CapacityProbeResult, CapacitySection, CapacityStep } from '../core/types.ts';
import { formatMs, parseDurationMs } from '../core/units.ts';

// --- the SLO of a step ---

export type CapacitySlo = CapacitySection['slo'];

const KEYS: Record<string, keyof CapacitySlo> = { p50: 'p50Ms', p90: 'p90Ms', p99: 'p99Ms', max: 'maxMs' };

/** "p99=100ms,p50=20ms" → { p99Ms: 100, p50Ms: 20 }; default p99 = CAPACITY_DEFAULTS.sloP99Ms. */
export function parseCapacitySlo(text: string | undefined): CapacitySlo {
  if (text === undefined || text.trim() === '') return { p99Ms: CAPACITY_DEFAULTS.sloP99Ms };
  const slo: CapacitySlo = {};
  const problems: string[] = [];
  for (const part of text.split(',')) {
    const [rawKey, rawValue, extra] = part.split('=').map((x) => x.trim());
    const key = KEYS[rawKey?.toLowerCase() ?? ''];
    const ms = parseDurationMs(rawValue);
    if (!key)
      problems.push(`--slo ${part.trim()}: expected one of ${Object.keys(KEYS).join(', ')}=<duration>`);
    else if (extra !== undefined || ms === undefined || ms <= 0)
      problems.push(`--slo ${part.trim()}: expected a duration such as "100ms"`);
    else slo[key] = ms;
  }
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
  return slo;
}

/** "p99 ≤ 100ms" for messages and tables. */
export function describeSlo(slo: CapacitySlo): string {
  return (Object.entries(KEYS) as Array<[string, keyof CapacitySlo]>)
    .filter(([, k]) => slo[k] !== undefined)
    .map(([name, k]) => `${name} ≤ ${formatMs(slo[k] as number)}`)
    .join(', ');
}

/** Why a step breaks the SLO (empty: it held). Latency figures of the step are in ms. */
export function sloReasons(
  slo: CapacitySlo,
  step: Pick<CapacityStep, 'p50' | 'p90' | 'p99' | 'max'>,
): string[] {
  const out: string[] = [];
  const check = (name: string, value: number, limit: number | undefined) => {
    if (limit !== undefined && value > limit) out.push(`${name} ${formatMs(value)} > ${formatMs(limit)}`);
  };
  check('p50', step.p50, slo.p50Ms);
  check('p90', step.p90, slo.p90Ms);
  check('p99', step.p99, slo.p99Ms);
  check('max', step.max, slo.maxMs);
  return out;
}

// --- the search: where the next step goes ---

export interface SearchOptions {
  start: number;
  factor: number;
  /** Largest value ever tried. */
  max: number;
  /** Smallest value worth trying (below: give up). */
  min: number;
  /** Bisection steps after the first failure. */
  refineSteps: number;
}

export interface Tried {
  x: number;
  passed: boolean;
}

/** Largest x that passed, or null. */
export function bestPassed(history: Tried[]): number | null {
  const ok = history.filter((h) => h.passed).map((h) => h.x);
  return ok.length ? Math.max(...ok) : null;
}

/** The next value to try, or null when the search is done. */
export function nextStep(history: Tried[], o: SearchOptions): number | null {
  if (history.length === 0) return Math.min(o.start, o.max);
  const best = bestPassed(history);
  const failed = history.filter((h) => !h.passed).map((h) => h.x);
  const firstBad = failed.length ? Math.min(...failed.filter((x) => best === null || x > best)) : Infinity;
  if (!Number.isFinite(firstBad)) {
    // Everything passed so far: climb, once more to exactly max.
    const last = history[history.length - 1].x;
    return last >= o.max ? null : Math.min(o.max, Math.round(last * o.factor));
  }
  if (best === null) {
    const down = Math.floor(firstBad / o.factor);
    return down >= o.min ? down : null;
  }
  // Refinements: steps since the history first held both a pass and a failure (a bracket).
  const bracketAt = history.findIndex((_, i) => {
    const upTo = history.slice(0, i + 1);
    return upTo.some((h) => h.passed) && upTo.some((h) => !h.passed);
  });
  const refinements = history.length - 1 - bracketAt;
  const mid = Math.round((best + firstBad) / 2);
  // Stop when refined enough or the bracket is within 5 % (the noise of a shared 2-core machine).
  if (refinements >= o.refineSteps || firstBad - best <= Math.max(1, best * 0.05)) return null;
  return mid > best && mid < firstBad ? mid : null;
}

export interface SearchBounds extends SearchOptions {
  maxSteps: number;
  /** A failing step is measured again this many times; it fails only if every attempt fails (noise). */
  retries?: number;
  /** Wall-clock budget of the whole search; a step that would not fit is not started. */
  maxProbeMs: number;
  signal?: AbortSignal;
}

/** Run steps chosen by nextStep until done or a bound is hit; `bounded` says which bound. */
export async function runSearch<T extends { passed: boolean }>(
  o: SearchBounds,
  runStep: (x: number) => Promise<T>,
): Promise<{ steps: Array<T & { x: number; attempts: number }>; bounded?: string }> {
  const steps: Array<T & { x: number; attempts: number }> = [];
  const startedMs = Date.now();
  let lastStepMs = 0;
  for (;;) {
    const x = nextStep(
      steps.map((s) => ({ x: s.x, passed: s.passed })),
      o,
    );
    if (x === null) {
      const climbing = steps.every((s) => s.passed);
      return { steps, bounded: climbing && steps.length ? `reached the maximum (${o.max})` : undefined };
    }
    if (o.signal?.aborted) return { steps, bounded: 'interrupted' };
    if (steps.length >= o.maxSteps) return { steps, bounded: `max steps (${o.maxSteps})` };
    if (Date.now() - startedMs + lastStepMs > o.maxProbeMs)
      return { steps, bounded: `time budget (${Math.round(o.maxProbeMs / 1000)} s)` };
    const t0 = Date.now();
    let result = await runStep(x);
    let attempts = 1;
    while (!result.passed && attempts <= (o.retries ?? 0) && !o.signal?.aborted) {
      result = await runStep(x);
      attempts += 1;
    }
    steps.push({ ...result, x, attempts });
    lastStepMs = (Date.now() - t0) / attempts;
  }
}

// --- the probe as text ---

/** One probe step: "short-poll  4000/s → 3998/s  p50 1.0ms p99 7.0ms  srv 61%  ok". */
export function formatStep(protocol: string, s: CapacityStep): string {
  const load =
    s.ratePerS !== undefined
      ? `${s.ratePerS}/s → ${Math.round(s.achievedRatePerS ?? 0)}/s`
      : `${s.clients} clients`;
  const cpu = `srv ${s.serverCpuPct.toFixed(0)}%${s.generatorCpuPct !== undefined ? ` gen ${s.generatorCpuPct.toFixed(0)}%` : ''}`;
  const verdict = s.passed ? 'ok' : `FAIL: ${s.reasons.join('; ')}`;
  return `${protocol.padEnd(10)}  ${load.padEnd(22)}  p50 ${formatMs(s.p50).padStart(7)}  p99 ${formatMs(s.p99).padStart(7)}  ${cpu}  ${verdict}`;
}

function row(p: CapacityProbeResult, intervals: number[]): string[] {
  const at = p.clientsAtIntervalMs ?? {};
  return [
    p.protocol,
    p.method,
    p.maxRatePerS === undefined ? '-' : p.maxRatePerS === null ? 'none' : `${p.maxRatePerS}/s`,
    ...intervals.map((ms) => (at[String(ms)] === undefined ? '-' : String(at[String(ms)]))),
    p.maxClients === undefined ? '-' : p.maxClients === null ? 'none' : String(p.maxClients),
    p.bounded ?? 'a failing step',
  ];
}

/** The summary table: what users ask — how many clients does this server carry? */
export function formatCapacityTable(section: CapacitySection): string {
  const intervals = [
    ...new Set(section.probes.flatMap((p) => Object.keys(p.clientsAtIntervalMs ?? {}).map(Number))),
  ].sort((a, b) => a - b);
  const head = [
    'protocol',
    'method',
    'max rate',
    ...intervals.map((ms) => `clients @${formatMs(ms)}`),
    'max clients',
    'stopped by',
  ];
  const rows = [head, ...section.probes.map((p) => row(p, intervals))];
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `SLO: ${describeSlo(section.slo)}, no errors, no loss; steps of ${section.stepDurationMs / 1000} s`,
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    ...section.probes.flatMap((p) => p.notes.map((n) => `  ${p.protocol}: ${n}`)),
    ...section.notes.map((n) => `  ${n}`),
  ].join('\n');
}
