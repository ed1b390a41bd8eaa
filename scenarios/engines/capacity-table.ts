/**
 * The capacity probe as plain text: one line per step while it runs, one table at the end.
 */
import type { CapacityProbeResult, CapacitySection, CapacityStep } from '../../core/types.ts';
import { formatMs } from '../../core/units.ts';
import { describeSlo } from './capacity-slo.ts';

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
