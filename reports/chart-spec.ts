/**
 * Charts as data: each spec is a JSON-serializable chart.js config plus what the page needs
 * beyond it (tick units, fault windows to shade, the numbers table). The page's runtime
 * (assets/runtime.js) turns specs into charts; nothing here runs in the browser.
 */
import { engineDash, protocolColor, withAlpha } from './colors.ts';
import { formatValue, type Unit } from './format.ts';
import type { FaultWindow, RunView } from './model.ts';

export interface ChartTable {
  caption?: string;
  head: string[];
  rows: string[][];
}

export interface ChartSpec {
  /** Canvas element id (stable: tests and readers link to it). */
  id: string;
  title: string;
  /** What the chart shows and how to read it (plain text). */
  caption: string;
  config: {
    type: string;
    data: { labels?: unknown[]; datasets: Array<Record<string, unknown>> };
    options: Record<string, unknown>;
  };
  /** Tick and tooltip formatting per axis, applied in the page. */
  units: { x?: Unit; y?: Unit; y2?: Unit };
  /** Fault windows to shade, in x-axis units (seconds). */
  faults?: Array<{ from: number; to: number; label: string }>;
  tables: ChartTable[];
  /** Spans the full width of the grid (time series). */
  wide?: boolean;
  /** When set, there is nothing to draw: the page shows this note instead of a canvas. */
  empty?: string;
}

/** A line dataset in the run's colour and engine dash. */
export function lineDataset(
  run: RunView,
  label: string,
  data: Array<{ x: number; y: number | null }>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const color = protocolColor(run.protocol);
  return {
    label,
    data,
    borderColor: color,
    backgroundColor: withAlpha(color, 0.15),
    borderDash: engineDash(run.engine),
    borderWidth: 2,
    pointRadius: 0,
    pointHitRadius: 6,
    spanGaps: false,
    tension: 0,
    ...extra,
  };
}

/** Time-series points of one field (null gaps kept). */
export function points(
  run: RunView,
  pick: (p: RunView['series'][number]) => number | null,
): Array<{ x: number; y: number | null }> {
  return run.series.map((p) => ({ x: p.t, y: pick(p) }));
}

/** Fault windows for the shading plugin. */
export function shading(faults: FaultWindow[]): Array<{ from: number; to: number; label: string }> {
  return faults.map((f) => ({ from: f.fromS, to: f.toS, label: f.kind }));
}

/** chart.js options for a time axis in seconds from the start of measurement. */
export function timeAxis(): Record<string, unknown> {
  return { type: 'linear', min: 0, title: { display: true, text: 'seconds since start of measurement' } };
}

/** An axis title. */
export function axisTitle(text: string): Record<string, unknown> {
  return { display: true, text };
}

/** All distinct time stamps over the runs, sorted (the rows of a time-series table). */
export function allTimes(runs: RunView[]): number[] {
  return [...new Set(runs.flatMap((r) => r.series.map((p) => p.t)))].sort((a, b) => a - b);
}

/** Rows of a time-series table: one per time stamp, one column per run × field. */
export function seriesRows(
  runs: RunView[],
  fields: Array<(p: RunView['series'][number]) => string>,
): string[][] {
  const index = runs.map((r) => new Map(r.series.map((p) => [p.t, p])));
  return allTimes(runs).map((t) => [
    String(t),
    ...index.flatMap((byT) =>
      fields.map((f) => {
        const p = byT.get(t);
        return p ? f(p) : '—';
      }),
    ),
  ]);
}

/** What differs between the one-field time-series charts (bandwidth, connected clients). */
export interface TimeChartOptions {
  id: string;
  title: string;
  caption: string;
  yTitle: string;
  unit: Unit;
  pick: (p: RunView['series'][number]) => number | null;
  /** Shown when no run has this series. */
  empty: string;
  line?: Record<string, unknown>;
}

/** A full-width line chart of one time-series field per run, fault windows shaded, with its table. */
export function timeSeriesChart(runs: RunView[], faults: FaultWindow[], o: TimeChartOptions): ChartSpec {
  const withSeries = runs.filter((r) => r.series.some((p) => o.pick(p) !== null));
  return {
    id: o.id,
    title: o.title,
    caption: o.caption,
    config: {
      type: 'line',
      data: { datasets: withSeries.map((r) => lineDataset(r, r.label, points(r, o.pick), o.line)) },
      options: { scales: { x: timeAxis(), y: { beginAtZero: true, title: axisTitle(o.yTitle) } } },
    },
    units: { x: 'seconds', y: o.unit },
    faults: shading(faults),
    wide: true,
    tables: [
      {
        head: ['t (s)', ...withSeries.map((r) => r.label)],
        rows: seriesRows(withSeries, [(p) => formatValue(o.unit, o.pick(p))]),
      },
    ],
    empty: withSeries.length ? undefined : o.empty,
  };
}
