/**
 * Chart 5 (connected clients over time) and chart 6 (reconnect timings: detect, reconnect,
 * recover, zombie; bar = p50, whisker = max).
 */
import { axisTitle, type ChartSpec, timeSeriesChart } from './chart-spec.ts';
import { protocolColor, withAlpha } from './colors.ts';
import { formatValue } from './format.ts';
import type { FaultWindow, RunView, Timing } from './model.ts';

const PHASES: Array<{ label: string; pick: (r: RunView) => Timing; help: string }> = [
  { label: 'detect', pick: (r) => r.reconnects.detect, help: 'fault start → dead connection noticed' },
  { label: 'reconnect', pick: (r) => r.reconnects.reconnect, help: 'noticed → new connection open' },
  { label: 'recover', pick: (r) => r.reconnects.recover, help: 'fault end → outage backlog delivered' },
  {
    label: 'zombie',
    pick: (r) => r.reconnects.zombie,
    help: 'fault start → server frees the dead connection',
  },
];

/** Chart 5: how many clients were connected in each second; drops and recoveries around faults. */
export function connectedChart(runs: RunView[], faults: FaultWindow[]): ChartSpec {
  return timeSeriesChart(runs, faults, {
    id: 'chart-connected',
    title: 'Connected clients over time',
    caption:
      'Clients holding an open connection (polling: clients whose last request succeeded) in each second. A drop inside a shaded fault window is the protocol noticing the outage; the climb back is its reconnect.',
    yTitle: 'connected clients',
    unit: 'count',
    pick: (p) => p.connected,
    empty: 'No time series with connection counts in this results file.',
    line: { stepped: true },
  });
}

function hasTiming(run: RunView): boolean {
  return PHASES.some((ph) => ph.pick(run).p50 !== null || ph.pick(run).max !== null);
}

/** Chart 6: reconnect timings per run; bars are p50, whiskers reach the max. */
export function reconnectChart(runs: RunView[]): ChartSpec {
  const shown = runs.filter(hasTiming);
  const datasets = shown.map((r) => {
    const color = protocolColor(r.protocol);
    return {
      label: r.label,
      data: PHASES.map((ph) => ph.pick(r).p50),
      pbMax: PHASES.map((ph) => ph.pick(r).max),
      backgroundColor: withAlpha(color, r.engine === 'pushbench' ? 0.85 : 0.4),
      borderColor: color,
      borderWidth: r.engine === 'pushbench' ? 0 : 2,
    };
  });
  const rows = shown.flatMap((r) =>
    PHASES.map((ph) => {
      const t = ph.pick(r);
      return [
        r.label,
        ph.label,
        formatValue('count', r.reconnects.count),
        formatValue('ms', t.p50),
        formatValue('ms', t.p99),
        formatValue('ms', t.max),
      ];
    }),
  );
  const highest = Math.max(
    0,
    ...shown.flatMap((r) => PHASES.map((ph) => ph.pick(r).max ?? ph.pick(r).p50 ?? 0)),
  );
  return {
    id: 'chart-reconnects',
    title: 'Reconnect timings',
    caption: `Bars are the median over all clients, whiskers reach the slowest client. ${PHASES.map((p) => `${p.label}: ${p.help}`).join('; ')}. Missing bars mean that step never happened in that run.`,
    config: {
      type: 'bar',
      data: { labels: PHASES.map((p) => p.label), datasets },
      options: {
        scales: { y: { beginAtZero: true, suggestedMax: highest * 1.05, title: axisTitle('time') } },
      },
    },
    units: { y: 'ms' },
    tables: [{ head: ['run', 'step', 'reconnects', 'p50', 'p99', 'max'], rows }],
    empty: shown.length
      ? undefined
      : 'No reconnect happened in any run (no fault, or none that the clients noticed).',
  };
}
