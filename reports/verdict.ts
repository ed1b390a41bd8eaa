/**
 * The verdict: one row per run, the figures that decide between protocols, the best value in
 * each column marked. Split into three tables (latency, cost, faults) so it stays readable.
 */
import { escapeHtml } from './escape.ts';
import { formatValue } from './format.ts';
import { COST_METRICS, LATENCY_METRICS, type Metric, RECONNECT_METRICS } from './metrics.ts';
import type { RunView } from './model.ts';
import { runBadges, runNameCell } from './run-cells.ts';

/** Keys of the runs holding the best value of `metric`; empty when fewer than 2 runs compare or all tie. */
export function bestRunKeys(metric: Metric, runs: RunView[]): Set<string> {
  if (metric.noBest) return new Set();
  const read = metric.rank ?? metric.get;
  const values = runs.flatMap((r) => {
    const v = read(r);
    return v === null ? [] : [{ key: r.key, v }];
  });
  if (values.length < 2) return new Set();
  const best =
    metric.better === 'lower' ? Math.min(...values.map((x) => x.v)) : Math.max(...values.map((x) => x.v));
  const tol = Math.abs(best) * 1e-9;
  const winners = values.filter((x) => Math.abs(x.v - best) <= tol);
  return winners.length === values.length ? new Set() : new Set(winners.map((x) => x.key));
}

/** Metrics to show: optional ones only when some run has them. */
export function visibleMetrics(metrics: Metric[], runs: RunView[]): Metric[] {
  return metrics.filter((m) => !m.optional || runs.some((r) => m.get(r) !== null));
}

function groupHeader(metrics: Metric[]): string {
  const groups: Array<{ name: string; span: number }> = [];
  for (const m of metrics) {
    const last = groups[groups.length - 1];
    if (last && last.name === m.group) last.span++;
    else groups.push({ name: m.group, span: 1 });
  }
  return groups.map((g) => `<th colspan="${g.span}" class="group">${escapeHtml(g.name)}</th>`).join('');
}

function cell(metric: Metric, run: RunView, best: boolean): string {
  let text = escapeHtml(metric.text?.(run) ?? formatValue(metric.unit, metric.get(run)));
  if (metric.id === 'delivered' && run.delivery.deliveredShare !== null) {
    text += ` <small>${escapeHtml(formatValue('pct', run.delivery.deliveredShare * 100))}</small>`;
  }
  const cls = best ? ' class="num best" title="best in column"' : ' class="num"';
  const mark = best ? '<span class="star" aria-label="best">★</span>' : '';
  return `<td${cls} data-metric="${escapeHtml(metric.id)}">${mark}${text}</td>`;
}

function table(title: string, id: string, metrics: Metric[], runs: RunView[]): string {
  const shown = visibleMetrics(metrics, runs);
  const best = shown.map((m) => bestRunKeys(m, runs));
  const labels = shown
    .map((m) => `<th class="num" title="${escapeHtml(m.help)}">${escapeHtml(m.label)}</th>`)
    .join('');
  const body = runs
    .map((r) => {
      const cells = shown.map((m, i) => cell(m, r, best[i].has(r.key))).join('');
      return `<tr data-run="${escapeHtml(r.key)}">${runNameCell(r)}${cells}</tr>`;
    })
    .join('\n');
  return `<div class="table-wrap"><table class="verdict" id="${id}">
<caption>${escapeHtml(title)}</caption>
<thead><tr><th rowspan="2" class="run-col">run</th>${groupHeader(shown)}</tr><tr>${labels}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

/** The verdict section: three tables, one row per run, best per column marked ★. */
export function renderVerdict(runs: RunView[]): string {
  if (runs.length === 0) return '<p class="empty">This results file holds no runs.</p>';
  const flagged = runs.filter((r) => runBadges(r) !== '');
  return [
    table('Latency and delivery', 'verdict-latency', LATENCY_METRICS, runs),
    table('Bandwidth and server cost', 'verdict-cost', COST_METRICS, runs),
    table('Faults and reconnects', 'verdict-faults', RECONNECT_METRICS, runs),
    `<p class="legend">★ best in its column (lower is better except "delivered"; ties and single values are not marked).
 — means not measured or not applicable (e.g. no reconnect happened, nothing delivered).${
   flagged.length ? ' ⚠ marks runs whose figures need care (see the warnings above).' : ''
 }</p>`,
  ].join('\n');
}
