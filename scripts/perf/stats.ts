/**
 * Small statistics for perf comparisons: medians over repetitions, ratios of medians,
 * target checks, and the assembly of a Comparison from two sides' repetitions.
 */
import type { Comparison, Side, Target } from './types.ts';

/** Median of the finite values (NaN when there are none). */
export function median(values: number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Round for the JSON: one decimal from 100 up, else 4 significant digits. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 100 ? Math.round(value * 10) / 10 : Number(value.toPrecision(4));
}

/** A side's medians from its repetitions (every metric any repetition has). */
export function sideOf(name: string, repetitions: Array<Record<string, number>>): Side {
  const keys = [...new Set(repetitions.flatMap((r) => Object.keys(r)))];
  const figures: Record<string, number> = {};
  for (const k of keys) figures[k] = round(median(repetitions.map((r) => r[k])));
  return { name, figures, repetitions: repetitions.map(roundAll) };
}

function roundAll(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)]));
}

/** subject ÷ baseline of each named figure (NaN when the baseline is 0 or missing). */
export function ratios(subject: Side, baseline: Side, keys: Record<string, string>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [ratioKey, figure] of Object.entries(keys)) {
    const b = baseline.figures[figure];
    out[ratioKey] = b ? Number((subject.figures[figure] / b).toFixed(3)) : Number.NaN;
  }
  return out;
}

/** Whether each targeted ratio is within its bound. */
export function checkTargets(ratio: Record<string, number>, targets: Record<string, Target>) {
  const met: Record<string, boolean> = {};
  for (const [key, t] of Object.entries(targets)) {
    const r = ratio[key];
    met[key] =
      Number.isFinite(r) && (t.max === undefined || r <= t.max) && (t.min === undefined || r >= t.min);
  }
  return met;
}

export interface ComparisonParts {
  id: string;
  title: string;
  subject: Side;
  baseline: Side;
  /** ratio key → figure key compared. */
  ratioOf: Record<string, string>;
  targets?: Record<string, Target>;
  settings: Record<string, unknown>;
  extra?: Record<string, unknown>;
  notes?: string[];
  startedAtMs: number;
}

/** Assemble a Comparison: ratios of medians and their targets. */
export function comparison(p: ComparisonParts): Comparison {
  const ratio = ratios(p.subject, p.baseline, p.ratioOf);
  const targets = p.targets ?? {};
  return {
    id: p.id,
    title: p.title,
    subject: p.subject,
    baseline: p.baseline,
    ratio,
    targets,
    met: checkTargets(ratio, targets),
    settings: p.settings,
    ...(p.extra ? { extra: p.extra } : {}),
    notes: p.notes ?? [],
    elapsedMs: Math.round(performance.now() - p.startedAtMs),
  };
}

/** The order of the two sides in repetition `rep`: alternating, so neither always runs first. */
export function alternate<T>(rep: number, a: T, b: T): [T, T] {
  return rep % 2 === 0 ? [a, b] : [b, a];
}
