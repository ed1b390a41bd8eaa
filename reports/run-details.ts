/**
 * The "Runs" section: what was run (engine, clients, duration, faults), generator health, SLO
 * outcome, notes and error counts per run.
 */
import { escapeHtml } from './escape.ts';
import { formatDuration, formatValue } from './format.ts';
import type { RunView } from './model.ts';
import { runNameCell } from './run-cells.ts';

/** Wide text columns get a minimum width (style.ts) so they do not wrap word by word. */
const CELL_CLASS = ['', '', 'text', 'num', 'num', 'num', 'text', 'text wide'];

function faultsText(run: RunView): string {
  if (!run.faults.length) return 'none';
  return run.faults
    .map(
      (f) =>
        `${f.kind} at ${f.fromS}s for ${Math.round((f.toS - f.fromS) * 1000) / 1000}s${f.clients === null ? '' : ` (${f.clients} clients)`}`,
    )
    .join('; ');
}

function sloText(run: RunView): string {
  if (!run.slo) return '—';
  return run.slo.passed ? 'passed' : `breached: ${run.slo.breaches.join('; ') || 'no detail'}`;
}

function notesText(run: RunView): string {
  const errors = run.errors.map(([k, v]) => `${k}: ${v}`);
  const form = [
    ...(run.heartbeatForm ? [`heartbeat: ${run.heartbeatForm}`] : []),
    ...run.variant,
    ...(run.source ? [sourceText(run.source)] : []),
    ...countersText(run),
  ];
  return (
    [...form, ...run.notes, ...(errors.length ? [`errors: ${errors.join(', ')}`] : [])].join(' · ') || '—'
  );
}

/** The hidden counters that are not 0 (negative latencies, lost connections never reopened, …). */
function countersText(run: RunView): string[] {
  const c = run.counters;
  if (!c) return [];
  const out: string[] = [];
  const n = (v: number) => formatValue('count', v);
  if (c.negativeLatencies)
    out.push(`negative latencies: ${n(c.negativeLatencies)} (clock skew, recorded as 1 µs)`);
  if (c.connectionsLost)
    out.push(`connections lost: ${n(c.connectionsLost)}, never reopened: ${n(c.neverReopened)}`);
  if (c.gapsLost) out.push(`lost to resume gaps: ${n(c.gapsLost)} (beyond the retention window)`);
  if (c.warmUpSkipped) out.push(`warm-up deliveries kept out of latency: ${n(c.warmUpSkipped)}`);
  return out;
}

/** The source's schedule: published of scheduled, rate, worst lag behind the schedule. */
function sourceText(src: NonNullable<RunView['source']>): string {
  return `source: ${formatValue('count', src.published)} of ${formatValue('count', src.scheduled)} published at ${formatValue('count', Math.round(src.ratePerS * 10) / 10)}/s, max lag ${formatValue('ms', src.maxLagMs)}${src.behind ? ' (fell behind)' : ''}`;
}

/** The runs table (HTML). */
export function renderRunDetails(runs: RunView[]): string {
  if (!runs.length) return '<p class="empty">No runs.</p>';
  const head = [
    'run',
    'engine',
    'duration',
    'faults',
    'out of order',
    'generator loop p99',
    'server loop p99',
    'SLO',
    'notes',
  ];
  const rows = runs.map((r) => {
    const cells = [
      r.engine,
      formatDuration(r.durationMs),
      faultsText(r),
      formatValue('count', r.delivery.outOfOrder),
      formatValue('ms', r.generator.eventLoopP99Ms),
      formatValue('ms', r.server.eventLoopP99Ms),
      sloText(r),
      notesText(r),
    ];
    return `<tr>${runNameCell(r)}${cells.map((c, i) => `<td class="${CELL_CLASS[i] ?? ''}">${escapeHtml(c)}</td>`).join('')}</tr>`;
  });
  return `<div class="table-wrap"><table class="runs"><thead><tr>${head.map((h, i) => `<th class="${i === 0 ? '' : (CELL_CLASS[i - 1] ?? '')}">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`;
}
