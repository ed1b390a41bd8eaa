/**
 * Chart 5 (connected clients over time) and chart 6 (reconnect timings: detect, reconnect,
 * recover, zombie; bar = p50, whisker = max).
 */
import { axisTitle, type ChartSpec, timeSeriesChart } from './chart-spec.ts';
import { protocolColor, withAlpha } from './colors.ts';
import { formatValue } from './format.ts';
import type { FaultWindow, RunView, Timing } from './model.ts';

const PHASES: Array<{ label: string; pick: (r: RunView) => Timing; help: string }> = [
  { label: 'detect', pick: (r) => r.reconnects.detect, help: 'fault applied → dead connection noticed' },
  { label: 'reconnect', pick: (r) => r.reconnects.reconnect, help: 'noticed → new connection open' },
  { label: 'recover', pick: (r) => r.reconnects.recover, help: 'fault removed → outage backlog delivered' },
  {
    label: 'zombie',
    pick: (r) => r.reconnects.zombie,
    help: 'fault applied → server frees the dead connection (zombie: counted in dead connections, not clients)',
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

/** "30 of 50": clients with a sample for the step, of those that should have one ('—' when unknown). */
function coverage(r: RunView, step: string): string {
  const rc = r.reconnects;
  const pair: Record<string, [number | null, number | null]> = {
    detect: [rc.detected, rc.affected],
    reconnect: [rc.reconnected, rc.detected],
    recover: [rc.caughtUp, rc.detected],
    zombie: [
      rc.zombiesFreed,
      rc.zombiesFreed === null || rc.zombiesNeverFreed === null
        ? null
        : rc.zombiesFreed + rc.zombiesNeverFreed,
    ],
  };
  const [got, of] = pair[step] ?? [null, null];
  return got === null || of === null ? '—' : `${got} of ${of}`;
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
        coverage(r, ph.label),
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
    caption: `Bars are the median (p50) and whiskers the maximum over the samples that exist: one per lost connection (a client that lost several connections counts several times), so clients that never detected, never reconnected or never caught up are in neither; the table's "clients" column says how many had a sample. ${PHASES.map((p) => `${p.label}: ${p.help}`).join('; ')}. Missing bars mean that step never happened in that run.`,
    config: {
      type: 'bar',
      data: { labels: PHASES.map((p) => p.label), datasets },
      options: {
        scales: { y: { beginAtZero: true, suggestedMax: highest * 1.05, title: axisTitle('time') } },
      },
    },
    units: { y: 'ms' },
    tables: [{ head: ['run', 'step', 'reconnects', 'clients', 'p50', 'p99', 'max'], rows }],
    empty: shown.length
      ? undefined
      : 'No reconnect happened in any run (no fault, or none that the clients noticed).',
  };
}
