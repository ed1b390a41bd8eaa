/**
 * The comparison table printed at the end of a run: one row per protocol run.
 */
import { RUN_DEFAULTS } from '../core/defaults.ts';
import type { RunResult } from '../core/types.ts';
import { formatBytes, formatMs } from '../core/units.ts';

const COLUMNS: Array<{ title: string; cell: (r: RunResult) => string }> = [
  {
    title: 'protocol',
    cell: (r) =>
      (r.engine === 'pushbench' ? r.protocol : `${r.protocol} (${r.engine})`) +
      (r.target ? ` @ ${r.target.profile}` : ''),
  },
  { title: 'clients', cell: (r) => String(r.clients) },
  { title: 'p50', cell: (r) => formatMs(r.latencyMs.p50) },
  { title: 'p99', cell: (r) => formatMs(r.latencyMs.p99) },
  { title: 'max', cell: (r) => formatMs(r.latencyMs.max) },
  { title: 'delivered', cell: (r) => String(r.delivery.delivered) },
  { title: 'lost', cell: (r) => String(r.delivery.lost) },
  { title: 'bytes/msg', cell: (r) => formatBytes(r.bytes.perDeliveredMessage) },
  {
    title: 'requests',
    cell: (r) => (r.requests.total ? `${r.requests.total} (${r.requests.empty} empty)` : '-'),
  },
  { title: 'reconnects', cell: (r) => String(r.reconnects.count) },
  { title: 'detect p50', cell: detectCell },
  {
    title: 'srv CPU',
    cell: (r) => (r.server.cpuPct === null ? 'not measured' : `${r.server.cpuPct.toFixed(1)}%`),
  },
  { title: 'flags', cell: flags },
];

/** detect p50, with "(detected of affected)" when some affected client never detected. */
export function detectCell(r: RunResult): string {
  const { detectMs, affected, detected } = r.reconnects;
  const p50 = detectMs ? formatMs(detectMs.p50) : '-';
  if (!affected || detected === undefined || detected >= affected) return p50;
  return detected === 0 ? `not detected (0 of ${affected})` : `${p50} (${detected} of ${affected})`;
}

function flags(r: RunResult): string {
  const out: string[] = [];
  if (r.generator.saturated) out.push('SATURATED');
  if (r.server.saturated) out.push('SERVER SATURATED');
  if (r.source && r.source.maxLagMs > RUN_DEFAULTS.sourceLagMs) out.push('SOURCE LATE');
  if (r.slo && !r.slo.passed) out.push('SLO BREACH');
  return out.join(',');
}

/** Render runs as an aligned plain-text table. */
export function formatTable(runs: RunResult[]): string {
  const rows = [COLUMNS.map((c) => c.title), ...runs.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}
