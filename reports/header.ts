/**
 * The report header: scenario, machine, date, run length, and a warning banner for every run
 * whose generator was saturated, whose message source fell behind or whose SLO was breached.
 */
import type { Results } from '../core/types.ts';
import { escapeHtml } from './escape.ts';
import { formatDuration, formatValue, num } from './format.ts';
import type { RunView } from './model.ts';

/** The scenario's display name ('unnamed scenario' when absent). */
export function scenarioName(results: Results): string {
  const s = results.scenario as Record<string, unknown> | undefined;
  const name = s && typeof s === 'object' ? s.name : undefined;
  return typeof name === 'string' && name.trim() ? name : 'unnamed scenario';
}

/** ISO date → "2025-11-26 20:30:00 UTC" (no locale: the same on every machine). */
export function formatDate(iso: unknown): string {
  const d = new Date(typeof iso === 'string' ? iso : Number.NaN);
  if (Number.isNaN(d.getTime())) return typeof iso === 'string' && iso ? iso : '—';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function runLength(runs: RunView[]): string {
  const durations = runs.map((r) => r.durationMs).filter((d): d is number => d !== null);
  if (!durations.length) return '—';
  const lo = Math.min(...durations);
  const hi = Math.max(...durations);
  const each = lo === hi ? formatDuration(lo) : `${formatDuration(lo)}–${formatDuration(hi)}`;
  const total = durations.reduce((a, b) => a + b, 0);
  return durations.length === 1
    ? each
    : `${durations.length} runs × ${each} (${formatDuration(total)} measured)`;
}

/** ", over the 50ms threshold": what "saturated" meant in that run ('' for an older file). */
function overThreshold(r: RunView): string {
  return r.saturationThresholdMs === null
    ? ''
    : `, over the ${formatValue('ms', r.saturationThresholdMs)} threshold`;
}

/** One banner per run that needs a warning (saturated generator, late source, breached SLO). */
export function renderBanners(runs: RunView[]): string {
  const out: string[] = [];
  for (const r of runs) {
    if (r.generator.saturated) {
      const loop =
        r.generator.eventLoopP99Ms === null
          ? ''
          : ` (event-loop delay p99 ${formatValue('ms', r.generator.eventLoopP99Ms)}${overThreshold(r)})`;
      out.push(
        `<div class="banner warn" role="alert"><strong>⚠ ${escapeHtml(r.label)}: load generator saturated</strong>${escapeHtml(loop)}. Its latency figures measure the generator, not the protocol: use fewer clients per generator or more generator processes.</div>`,
      );
    }
    if (r.server.saturated) {
      const loop =
        r.server.eventLoopP99Ms === null
          ? ''
          : ` (event-loop delay p99 ${formatValue('ms', r.server.eventLoopP99Ms)} in the measured window${overThreshold(r)})`;
      out.push(
        `<div class="banner warn" role="alert"><strong>⚠ ${escapeHtml(r.label)}: server saturated</strong>${escapeHtml(loop)}. Every message and answer waited for the server's event loop: that run measures a server at its limit, not the protocol's latency.</div>`,
      );
    }
    if (r.counters && r.counters.negativeLatencies > 0) {
      out.push(
        `<div class="banner warn" role="alert"><strong>⚠ ${escapeHtml(r.label)}: ${escapeHtml(formatValue('count', r.counters.negativeLatencies))} latencies below zero</strong> (received before their publish time: the clocks of the server and the clients disagree). They are recorded as 1 µs, so that run's low percentiles are too low.</div>`,
      );
    }
    if (r.source?.behind) {
      const { scheduled, published, maxLagMs } = r.source;
      const overdue =
        scheduled > published
          ? `; ${formatValue('count', scheduled - published)} still overdue at the stop`
          : '';
      out.push(
        `<div class="banner warn" role="alert"><strong>⚠ ${escapeHtml(r.label)}: message source fell behind</strong> (up to ${escapeHtml(formatValue('ms', maxLagMs))} late; ${escapeHtml(formatValue('count', published))} of ${escapeHtml(formatValue('count', scheduled))} scheduled messages published${escapeHtml(overdue)}). Every message carries its scheduled time, so the delay is inside the latency figures: the server was too busy to publish on time.</div>`,
      );
    }
    if (r.slo && !r.slo.passed) {
      const why = r.slo.breaches.length ? `: ${r.slo.breaches.join('; ')}` : '';
      out.push(
        `<div class="banner bad" role="alert"><strong>✗ ${escapeHtml(r.label)}: SLO breached</strong>${escapeHtml(why)}</div>`,
      );
    }
  }
  return out.join('\n');
}

/** The page header (title, facts, banners). */
export function renderHeader(results: Results, runs: RunView[], title: string): string {
  const env = (results.environment ?? {}) as Partial<Results['environment']>;
  const scenario = (results.scenario ?? {}) as Record<string, unknown>;
  const description =
    typeof scenario.description === 'string'
      ? `<p class="description">${escapeHtml(scenario.description)}</p>`
      : '';
  const cpus = num(env.cpus);
  const facts: Array<[string, string]> = [
    ['Scenario', scenarioName(results)],
    ['Date', formatDate(env.startedAt)],
    [
      'Machine',
      [cpus === null ? null : `${cpus} CPU${cpus === 1 ? '' : 's'}`, env.os].filter(Boolean).join(' · ') ||
        '—',
    ],
    ['Node', env.node ? String(env.node) : '—'],
    ['Run length', runLength(runs)],
    ['Protocols', [...new Set(runs.map((r) => r.label))].join(', ') || '—'],
  ];
  const dl = facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('');
  return `<header class="page-header">
<p class="kicker">pushbench report</p>
<h1>${escapeHtml(title)}</h1>
${description}
<dl class="facts">${dl}</dl>
${renderBanners(runs)}
</header>`;
}
