/**
 * Chart 1 (latency percentile distribution, HdrHistogram style) and chart 2 (p50 / p99 over
 * time with fault windows shaded).
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
import type { FaultWindow, Percentiles, RunView } from './model.ts';

const PERCENTILES: Array<{ key: keyof Percentiles; label: string }> = [
  { key: 'p50', label: '50%' },
  { key: 'p90', label: '90%' },
  { key: 'p99', label: '99%' },
  { key: 'p999', label: '99.9%' },
  { key: 'max', label: 'max' },
];

/** A log axis cannot show 0 or less: those become gaps. */
function positive(v: number | null): number | null {
  return v !== null && v > 0 ? v : null;
}

function hasLatency(p: Percentiles): boolean {
  return PERCENTILES.some(({ key }) => positive(p[key]) !== null);
}

function distributionRow(run: RunView, kind: string, p: Percentiles): string[] {
  return [
    run.label,
    kind,
    formatValue('count', p.count),
    formatValue('ms', p.mean),
    ...PERCENTILES.map(({ key }) => formatValue('ms', p[key])),
  ];
}

/** Chart 1: latency at each percentile, per run, log scale (steady solid; recovered hidden until clicked). */
export function latencyDistributionChart(runs: RunView[]): ChartSpec {
  const datasets: Array<Record<string, unknown>> = [];
  const rows: string[][] = [];
  for (const run of runs) {
    if (hasLatency(run.latency)) {
      datasets.push(
        lineDataset(
          run,
          run.label,
          PERCENTILES.map(({ key }, i) => ({ x: i, y: positive(run.latency[key]) })),
          { pointRadius: 3 },
        ),
      );
      rows.push(distributionRow(run, 'steady', run.latency));
    }
    if (hasLatency(run.recovered)) {
      datasets.push(
        lineDataset(
          run,
          `${run.label} · recovered`,
          PERCENTILES.map(({ key }, i) => ({ x: i, y: positive(run.recovered[key]) })),
          { pointRadius: 2, borderWidth: 1, borderDash: [3, 3], hidden: true },
        ),
      );
      rows.push(distributionRow(run, 'recovered', run.recovered));
    }
  }
  return {
    id: 'chart-latency-distribution',
    title: 'Latency percentile distribution',
    caption:
      'Latency (scheduled publish → client receive; for polling this includes the wait for the next poll, about half the poll interval on average for short-poll) at each percentile of steady-state messages, log scale: a flat line is a predictable protocol, a line that shoots up at the right has a tail. Recovered messages (delivered after a reconnect) are dashed and hidden: click their legend entry.',
    config: {
      type: 'line',
      data: {
        labels: PERCENTILES.map((p) => p.label),
        datasets: datasets.map((d) => ({
          ...d,
          data: (d.data as Array<{ y: number | null }>).map((p) => p.y),
        })),
      },
      options: {
        scales: {
          x: { title: axisTitle('percentile') },
          y: { type: 'logarithmic', title: axisTitle('latency (log scale)') },
        },
      },
    },
    units: { y: 'ms' },
    tables: [{ head: ['run', 'messages', 'count', 'mean', ...PERCENTILES.map((p) => p.label)], rows }],
    empty: datasets.length ? undefined : 'No latency was recorded: no run delivered a message.',
  };
}

/** Chart 2: p50 and p99 per 1 s bucket, per run, fault windows shaded. */
export function latencyOverTimeChart(runs: RunView[], faults: FaultWindow[]): ChartSpec {
  const withSeries = runs.filter((r) => r.series.some((p) => p.p50 !== null || p.p99 !== null));
  const datasets = withSeries.flatMap((run) => [
    lineDataset(
      run,
      `${run.label} p50`,
      points(run, (p) => positive(p.p50)),
    ),
    lineDataset(
      run,
      `${run.label} p99`,
      points(run, (p) => positive(p.p99)),
      { borderWidth: 1.25, borderColor: withAlpha(protocolColor(run.protocol), 0.55) },
    ),
  ]);
  const fmt = (v: number | null) => formatValue('ms', v);
  return {
    id: 'chart-latency-time',
    title: 'Latency over time (p50 and p99)',
    caption:
      'Median (thick) and 99th percentile (thin, light) latency in each 1-second bucket, log scale. Shaded bands are fault windows: watch how far each protocol climbs during and after them. Gaps are seconds in which nothing was delivered.',
    config: {
      type: 'line',
      data: { datasets },
      options: {
        scales: { x: timeAxis(), y: { type: 'logarithmic', title: axisTitle('latency (log scale)') } },
      },
    },
    units: { x: 'seconds', y: 'ms' },
    faults: shading(faults),
    wide: true,
    tables: [
      {
        head: ['t (s)', ...withSeries.flatMap((r) => [`${r.label} p50`, `${r.label} p99`])],
        rows: seriesRows(withSeries, [(p) => fmt(p.p50), (p) => fmt(p.p99)]),
      },
    ],
    empty: datasets.length ? undefined : 'No time series with latency in this results file.',
  };
}
