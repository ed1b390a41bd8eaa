/**
 * Chart 3 (bytes per delivered message, payload vs overhead, stacked) and chart 4 (bytes/s
 * over time).
 */
import { axisTitle, type ChartSpec, timeSeriesChart } from './chart-spec.ts';
import { formatValue } from './format.ts';
import type { FaultWindow, RunView } from './model.ts';

const PAYLOAD_COLOR = '#334155';
const OVERHEAD_COLOR = '#F08C8C';

/** Chart 3: what a delivered message costs on the wire, split into payload and overhead. */
export function bytesPerMessageChart(runs: RunView[]): ChartSpec {
  const shown = runs.filter((r) => r.bytes.payloadPerMsg !== null || r.bytes.overheadPerMsg !== null);
  const rows = runs.map((r) => [
    r.label,
    formatValue('bytes', r.bytes.perMsg),
    formatValue('bytes', r.bytes.payloadPerMsg),
    formatValue('bytes', r.bytes.overheadPerMsg),
    formatValue('pct', r.bytes.overheadShare),
    formatValue('bytes', r.bytes.total),
  ]);
  return {
    id: 'chart-bytes-per-message',
    title: 'Bytes per delivered message',
    caption:
      'Socket bytes in both directions divided by messages delivered: the dark part is the message payload, the light part everything else (HTTP headers, empty polls, framing, heartbeats). Shorter is cheaper.',
    config: {
      type: 'bar',
      data: {
        labels: shown.map((r) => r.label),
        datasets: [
          {
            label: 'payload',
            data: shown.map((r) => r.bytes.payloadPerMsg),
            backgroundColor: PAYLOAD_COLOR,
            stack: 'bytes',
          },
          {
            label: 'overhead',
            data: shown.map((r) => r.bytes.overheadPerMsg),
            backgroundColor: OVERHEAD_COLOR,
            stack: 'bytes',
          },
        ],
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: axisTitle('bytes per delivered message') },
        },
      },
    },
    units: { y: 'bytes' },
    tables: [
      { head: ['run', 'bytes/msg', 'payload/msg', 'overhead/msg', 'overhead share', 'total bytes'], rows },
    ],
    empty: shown.length ? undefined : 'No message was delivered: there is no per-message cost to show.',
  };
}

/** Chart 4: socket bytes per second (both directions), per run. */
export function bytesOverTimeChart(runs: RunView[], faults: FaultWindow[]): ChartSpec {
  return timeSeriesChart(runs, faults, {
    id: 'chart-bytes-time',
    title: 'Bandwidth over time',
    caption:
      'Socket bytes per second, both directions, all clients of a run. Polling pays a steady price even when nothing is published; heartbeats show as a floor; a reconnect storm shows as a spike after a fault.',
    yTitle: 'bytes per second',
    unit: 'bytesPerS',
    pick: (p) => p.bytesPerS,
    empty: 'No time series with byte counts in this results file.',
  });
}
