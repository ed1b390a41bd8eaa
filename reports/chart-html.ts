/**
 * A chart card: title, canvas (or a note when there is nothing to draw), caption, and the
 * chart's numbers in a collapsible table, so nothing in the report is picture-only.
 */
import type { ChartSpec, ChartTable } from './chart-spec.ts';
import { escapeHtml } from './escape.ts';

/** An HTML table of pre-formatted strings (first column as row headers). */
export function renderTable(table: ChartTable): string {
  const caption = table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : '';
  const head = table.head.map((h, i) => `<th${i === 0 ? '' : ' class="num"'}>${escapeHtml(h)}</th>`).join('');
  const rows = table.rows.length
    ? table.rows
        .map(
          (r) =>
            `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td class="num">${escapeHtml(c)}</td>`)).join('')}</tr>`,
        )
        .join('\n')
    : `<tr><td colspan="${table.head.length}" class="empty">no data</td></tr>`;
  return `<div class="table-wrap"><table class="numbers">${caption}<thead><tr>${head}</tr></thead><tbody>
${rows}
</tbody></table></div>`;
}

/** One chart card (HTML). */
export function renderChartCard(spec: ChartSpec): string {
  const figure = spec.empty
    ? `<p class="empty chart-empty">${escapeHtml(spec.empty)}</p>`
    : `<div class="canvas-box"><canvas id="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas></div>`;
  const rowCount = spec.tables.reduce((n, t) => n + t.rows.length, 0);
  const tables = rowCount
    ? `<details class="numbers"><summary>Numbers (${rowCount} row${rowCount === 1 ? '' : 's'})</summary>${spec.tables.map(renderTable).join('\n')}</details>`
    : '';
  return `<section class="card chart-card${spec.wide ? ' wide' : ''}" id="${escapeHtml(spec.id)}-card">
<h3>${escapeHtml(spec.title)}</h3>
${figure}
<p class="caption">${escapeHtml(spec.caption)}</p>
${tables}
</section>`;
}
