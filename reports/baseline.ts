/**
 * --baseline: the same metrics for runs present in both files (matched by protocol + engine),
 * as deltas; a change in the worse direction beyond both the regression share and the unit's
 * noise floor is a regression.
 */
import { REPORT_DEFAULTS } from '../core/defaults.ts';
import { escapeHtml } from './escape.ts';
import { formatDelta, formatSignedPct, formatValue, type Unit } from './format.ts';
import { ALL_METRICS, type Metric } from './metrics.ts';
import type { RunView } from './model.ts';
import { swatch } from './run-cells.ts';

export type DeltaVerdict = 'regression' | 'improvement' | 'same' | 'n/a';

export interface DeltaRow {
  metric: Metric;
  base: number | null;
  current: number | null;
  delta: number | null;
  /** Change relative to the baseline, in %; null when the baseline is 0 or missing. */
  deltaPct: number | null;
  verdict: DeltaVerdict;
}

export interface BaselineComparison {
  matched: Array<{ run: RunView; rows: DeltaRow[] }>;
  onlyCurrent: string[];
  onlyBaseline: string[];
  regressions: number;
  improvements: number;
}

/** Changes smaller than this (in the metric's unit) are noise, whatever their share. */
const UNIT_FLOOR: Record<Unit, number> = {
  ms: 1,
  seconds: 0.1,
  bytes: 1,
  bytesPerS: 1,
  count: 1,
  pct: 1,
  cpuPct: 1,
  perS: 0.5,
  mb: 1,
  kb: 0.5,
};

/** Compare one metric: delta, share and verdict. */
export function compareMetric(
  metric: Metric,
  base: number | null,
  current: number | null,
  regressionPct: number,
): DeltaRow {
  if (base === null || current === null)
    return { metric, base, current, delta: null, deltaPct: null, verdict: 'n/a' };
  const delta = current - base;
  const deltaPct = base === 0 ? null : (delta / Math.abs(base)) * 100;
  const floor = metric.floor ?? UNIT_FLOOR[metric.unit];
  const significant = Math.abs(delta) >= floor && (deltaPct === null || Math.abs(deltaPct) >= regressionPct);
  if (!significant) return { metric, base, current, delta, deltaPct, verdict: 'same' };
  const worse = metric.better === 'lower' ? delta > 0 : delta < 0;
  return { metric, base, current, delta, deltaPct, verdict: worse ? 'regression' : 'improvement' };
}

/** Deltas of every baseline metric for runs present in both files. */
export function computeDeltas(
  current: RunView[],
  baseline: RunView[],
  regressionPct = REPORT_DEFAULTS.regressionPct,
): BaselineComparison {
  const byKey = new Map(baseline.map((r) => [r.key, r]));
  const metrics = ALL_METRICS.filter((m) => m.baseline);
  const matched = current.flatMap((run) => {
    const base = byKey.get(run.key);
    if (!base) return [];
    const rows = metrics
      .map((m) => compareMetric(m, m.get(base), m.get(run), regressionPct))
      .filter((row) => row.base !== null || row.current !== null);
    return [{ run, rows }];
  });
  const currentKeys = new Set(current.map((r) => r.key));
  const all = matched.flatMap((m) => m.rows);
  return {
    matched,
    onlyCurrent: current.filter((r) => !byKey.has(r.key)).map((r) => r.label),
    onlyBaseline: baseline.filter((r) => !currentKeys.has(r.key)).map((r) => r.label),
    regressions: all.filter((r) => r.verdict === 'regression').length,
    improvements: all.filter((r) => r.verdict === 'improvement').length,
  };
}

function metricName(m: Metric): string {
  return m.name ?? `${m.group} ${m.label}`;
}

function runTable(run: RunView, rows: DeltaRow[]): string {
  const body = rows
    .map((r) => {
      const u = r.metric.unit;
      const mark = r.verdict === 'regression' ? '▲ ' : r.verdict === 'improvement' ? '▼ ' : '';
      return `<tr class="${r.verdict}" data-metric="${escapeHtml(r.metric.id)}"><th scope="row">${escapeHtml(metricName(r.metric))}</th><td class="num">${escapeHtml(formatValue(u, r.base))}</td><td class="num">${escapeHtml(formatValue(u, r.current))}</td><td class="num">${mark}${escapeHtml(formatDelta(u, r.delta))}</td><td class="num">${escapeHtml(formatSignedPct(r.deltaPct))}</td></tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="baseline" data-run="${escapeHtml(run.key)}">
<caption>${swatch(run)}${escapeHtml(run.label)}</caption>
<thead><tr><th>metric</th><th class="num">baseline</th><th class="num">this run</th><th class="num">Δ</th><th class="num">Δ %</th></tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

/** The baseline section (HTML). */
export function renderBaseline(
  cmp: BaselineComparison,
  baselineTitle: string,
  regressionPct = REPORT_DEFAULTS.regressionPct,
): string {
  const summary = `<p class="baseline-summary"><strong class="${cmp.regressions ? 'bad' : 'good'}">${cmp.regressions} regression${cmp.regressions === 1 ? '' : 's'}</strong>, ${cmp.improvements} improvement${cmp.improvements === 1 ? '' : 's'} against ${escapeHtml(baselineTitle)}. A change counts when it is at least ${regressionPct}% and above the unit's noise floor (1 ms, 1 byte, 1 message, 1 point…); ▲ regression, ▼ improvement.</p>`;
  const missing = [
    cmp.onlyCurrent.length ? `Not in the baseline: ${cmp.onlyCurrent.map(escapeHtml).join(', ')}.` : '',
    cmp.onlyBaseline.length ? `Only in the baseline: ${cmp.onlyBaseline.map(escapeHtml).join(', ')}.` : '',
  ].filter(Boolean);
  const tables = cmp.matched.length
    ? `<div class="baseline-grid">${cmp.matched.map((m) => runTable(m.run, m.rows)).join('\n')}</div>`
    : '<p class="empty">No run of this file has a matching run (same protocol and engine) in the baseline.</p>';
  return [summary, missing.length ? `<p class="note">${missing.join(' ')}</p>` : '', tables].join('\n');
}
