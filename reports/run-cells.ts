/**
 * How a run is named in every table: a colour swatch matching its chart lines, its label,
 * client count, and badges for a saturated generator or a breached SLO.
 */
import { protocolColor } from './colors.ts';
import { escapeHtml } from './escape.ts';
import { formatValue } from './format.ts';
import type { RunView } from './model.ts';

/** Badges (HTML) for runs whose figures need care; '' when none. */
export function runBadges(run: RunView): string {
  const out: string[] = [];
  const over =
    run.saturationThresholdMs === null
      ? ''
      : escapeHtml(`: event-loop delay p99 over ${formatValue('ms', run.saturationThresholdMs)}`);
  if (run.generator.saturated)
    out.push(`<span class="badge warn" title="generator saturated${over}">⚠ saturated</span>`);
  if (run.server.saturated)
    out.push(`<span class="badge warn" title="server saturated${over}">⚠ server saturated</span>`);
  if (run.source?.behind)
    out.push('<span class="badge warn" title="message source fell behind its schedule">⚠ source late</span>');
  if (run.slo && !run.slo.passed) out.push('<span class="badge bad" title="SLO breached">✗ SLO</span>');
  return out.join(' ');
}

/** A coloured swatch for a run (dashed border for non-pushbench engines). */
export function swatch(run: RunView): string {
  const style = run.engine === 'pushbench' ? 'solid' : 'dashed';
  return `<span class="swatch ${style}" style="--c:${protocolColor(run.protocol)}"></span>`;
}

/** The row header cell naming a run. */
export function runNameCell(run: RunView): string {
  const clients =
    run.clients === null ? '' : `<small>${escapeHtml(formatValue('count', run.clients))} clients</small>`;
  const badges = runBadges(run);
  return `<th scope="row" class="run-col">${swatch(run)}<span class="run-name">${escapeHtml(run.label)}</span> ${clients}${badges ? ` ${badges}` : ''}</th>`;
}
