/** The ratio table `npm run perf` prints: one line per ratio, with both sides' medians. */
import type { Comparison, PerfReport } from './types.ts';

/** Which figure each ratio key compares (for the "subject / baseline" columns). */
const FIGURE_OF: Record<string, string[]> = {
  latencyP50: ['latencyP50Ms', 'roundTripP50Us'],
  latencyP99: ['latencyP99Ms', 'roundTripP99Us'],
  cpuPerDelivered: ['cpuMsPer1000Delivered'],
  memoryPerConnection: ['heapKBPerConnection'],
  rate: ['ratePerS'],
  cpuPerRequest: ['cpuUsPerRequest'],
  generatorCpuPerDelivered: ['generatorCpuUsPerDelivered'],
  release: ['releaseP50Ms'],
};

const UNIT: Record<string, string> = {
  latencyP50Ms: 'ms',
  latencyP99Ms: 'ms',
  roundTripP50Us: 'µs',
  roundTripP99Us: 'µs',
  cpuMsPer1000Delivered: 'ms/1k msg',
  heapKBPerConnection: 'KB/conn',
  ratePerS: 'req/s',
  cpuUsPerRequest: 'µs/req',
  generatorCpuUsPerDelivered: 'µs/msg',
  releaseP50Ms: 'ms',
};

function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

function rows(c: Comparison): string[][] {
  return Object.entries(c.ratio).map(([key, ratio]) => {
    const figure = (FIGURE_OF[key] ?? [key]).find((f) => f in c.subject.figures) ?? key;
    const t = c.targets[key];
    const target = t ? (t.max !== undefined ? `≤ ${t.max}` : `≥ ${t.min}`) : '';
    const verdict = key in c.met ? (c.met[key] ? 'met' : 'NOT met') : '';
    return [
      c.id,
      key,
      `${fmt(c.subject.figures[figure])} / ${fmt(c.baseline.figures[figure])} ${UNIT[figure] ?? ''}`,
      fmt(ratio),
      target,
      verdict,
    ];
  });
}

/** The table as text lines (columns padded). */
export function ratioTable(report: PerfReport): string[] {
  const header = ['comparison', 'ratio', 'pushbench / baseline (medians)', 'ratio', 'target', ''];
  const body = report.comparisons.flatMap(rows);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const extras = report.comparisons.flatMap(extraLines);
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ...extras];
}

function extraLines(c: Comparison): string[] {
  const out: string[] = [];
  const wrk = c.extra?.wrk as
    | { skipped?: string; ratio?: { rate: number }; autocannonCeiling?: number }
    | undefined;
  if (wrk?.skipped) out.push(`${c.id}: wrk skipped — ${wrk.skipped}`);
  else if (wrk?.ratio)
    out.push(
      `${c.id}: wrk rate ratio ${fmt(wrk.ratio.rate)}; autocannon reaches ${fmt(wrk.autocannonCeiling)} of wrk's rate on the bare route`,
    );
  if (c.extra?.addedP50Us !== undefined)
    out.push(
      `${c.id}: the proxy adds ${c.extra.addedP50Us} µs at the median, ${c.extra.addedP99Us} µs at p99`,
    );
  for (const note of c.notes) out.push(`${c.id}: ${note}`);
  return out;
}
