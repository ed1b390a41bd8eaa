/**
 * The report's eight charts, in page order, as data (see chart-spec.ts). Adding a chart = one
 * builder and one line here.
 */
import type { ChartSpec } from './chart-spec.ts';
import { bytesOverTimeChart, bytesPerMessageChart } from './charts-bytes.ts';
import { connectedChart, reconnectChart } from './charts-fleet.ts';
import { latencyDistributionChart, latencyOverTimeChart } from './charts-latency.ts';
import { serverChart } from './charts-server.ts';
import type { FaultWindow, RunView } from './model.ts';
import { theoryChart } from './theory.ts';

/** Build every chart spec for the runs of one results file. */
export function buildCharts(runs: RunView[], faults: FaultWindow[], scenario: unknown): ChartSpec[] {
  // Summary charts first (they pair up in the two-column grid), then the full-width time series.
  return [
    latencyDistributionChart(runs),
    bytesPerMessageChart(runs),
    reconnectChart(runs),
    theoryChart(runs, scenario),
    latencyOverTimeChart(runs, faults),
    bytesOverTimeChart(runs, faults),
    connectedChart(runs, faults),
    { ...serverChart(runs, faults), wide: true },
  ];
}
