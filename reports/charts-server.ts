/**
 * Chart 7: server CPU and memory. Over time when the runs carry per-bucket server figures
 * (timeseries serverCpuPct / serverRssMB), otherwise the run-level figures as bars.
 */
import {
  axisTitle,
  type ChartSpec,
  lineDataset,
  points,
  seriesRows,
  shading,
  timeAxis,
} from './chart-spec.ts';
import { protocolColor, withAlpha } from './colors.ts';
import { formatValue } from './format.ts';
import type { FaultWindow, RunView } from './model.ts';

const CAPTION =
  'Server process CPU (100% = one core; left axis) and resident memory (right axis). The cost side of the comparison: a protocol that is fast because it burns a core is not free.';

function summaryTable(runs: RunView[]) {
  return {
    caption: 'Run-level figures',
    head: ['run', 'CPU', 'RSS', 'event-loop p99', 'CPU per message', 'memory per connection'],
    rows: runs.map((r) => [
      r.label,
      r.server.cpuPct === null && r.server.rssMB === null
        ? 'not measured'
        : formatValue('cpuPct', r.server.cpuPct),
      formatValue('mb', r.server.rssMB),
      formatValue('ms', r.server.eventLoopP99Ms),
      formatValue('ms', r.server.cpuMsPerMsg),
      formatValue('kb', r.server.kbPerConnection),
    ]),
  };
}

function dualAxes(x: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    ...(x ? { x } : {}),
    y: { beginAtZero: true, position: 'left', title: axisTitle('CPU %') },
    y2: {
      beginAtZero: true,
      position: 'right',
      grid: { drawOnChartArea: false },
      title: axisTitle('RSS MB'),
    },
  };
}

function overTime(runs: RunView[], faults: FaultWindow[]): ChartSpec {
  const withSeries = runs.filter((r) =>
    r.series.some((p) => p.serverCpuPct !== null || p.serverRssMB !== null),
  );
  const datasets = withSeries.flatMap((r) => [
    lineDataset(
      r,
      `${r.label} CPU`,
      points(r, (p) => p.serverCpuPct),
      { yAxisID: 'y' },
    ),
    lineDataset(
      r,
      `${r.label} RSS`,
      points(r, (p) => p.serverRssMB),
      { yAxisID: 'y2', borderWidth: 1.25, borderColor: withAlpha(protocolColor(r.protocol), 0.55) },
    ),
  ]);
  return {
    id: 'chart-server',
    title: 'Server CPU and memory over time',
    caption: `${CAPTION} CPU is the thick line, memory the thin light one.`,
    config: { type: 'line', data: { datasets }, options: { scales: dualAxes(timeAxis()) } },
    units: { x: 'seconds', y: 'cpuPct', y2: 'mb' },
    faults: shading(faults),
    wide: true,
    tables: [
      summaryTable(runs),
      {
        caption: 'Per second',
        head: ['t (s)', ...withSeries.flatMap((r) => [`${r.label} CPU`, `${r.label} RSS`])],
        rows: seriesRows(withSeries, [
          (p) => formatValue('cpuPct', p.serverCpuPct),
          (p) => formatValue('mb', p.serverRssMB),
        ]),
      },
    ],
  };
}

function runLevel(runs: RunView[]): ChartSpec {
  const shown = runs.filter((r) => r.server.cpuPct !== null || r.server.rssMB !== null);
  return {
    id: 'chart-server',
    title: 'Server CPU and memory',
    caption: `${CAPTION} This results file has no per-second server figures, so each run shows its overall figures.`,
    config: {
      type: 'bar',
      data: {
        labels: shown.map((r) => r.label),
        datasets: [
          {
            label: 'CPU %',
            data: shown.map((r) => r.server.cpuPct),
            backgroundColor: '#475569',
            yAxisID: 'y',
          },
          {
            label: 'RSS MB',
            data: shown.map((r) => r.server.rssMB),
            backgroundColor: '#94A3B8',
            yAxisID: 'y2',
          },
        ],
      },
      options: { scales: dualAxes(undefined) },
    },
    units: { y: 'cpuPct', y2: 'mb' },
    tables: [summaryTable(runs)],
    empty: shown.length ? undefined : 'No server CPU or memory figures in this results file.',
  };
}

/** Chart 7: server CPU and memory, over time when available. */
export function serverChart(runs: RunView[], faults: FaultWindow[]): ChartSpec {
  const hasSeries = runs.some((r) => r.series.some((p) => p.serverCpuPct !== null || p.serverRssMB !== null));
  return hasSeries ? overTime(runs, faults) : runLevel(runs);
}
