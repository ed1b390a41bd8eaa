/**
 * Chart 8: measured polling latency against the textbook (docs/report.md "Charts"): fixed-interval short
 * polling has mean ≈ T/2 + RTT/2 and max ≈ T + RTT/2; long polling ≈ RTT/2 (plus the
 * re-request gap). T comes from the scenario (`poll.intervalMs`, else known aliases, else the
 * client default); RTT from a measured WebSocket ping, else the scenario's network delay, else 0.
 */
import { CLIENT_DEFAULTS } from '../core/defaults.ts';
import { parseDurationMs } from '../core/units.ts';
import { axisTitle, type ChartSpec } from './chart-spec.ts';
import { formatValue, num } from './format.ts';
import type { RunView } from './model.ts';

export interface Sourced {
  value: number;
  /** Where the figure came from, shown beside the chart. */
  source: string;
}

export interface TheoryRow {
  run: RunView;
  measuredMeanMs: number | null;
  theoryMeanMs: number;
  measuredMaxMs: number | null;
  theoryMaxMs: number | null;
}

const INTERVAL_PATHS = [
  ['poll', 'intervalMs'],
  ['poll', 'interval'],
  ['pollIntervalMs'],
  ['clients', 'poll', 'intervalMs'],
  ['client', 'pollIntervalMs'],
  ['clients', 'pollIntervalMs'],
  ['protocols', 'short-poll', 'intervalMs'],
];
const DELAY_PATHS = [
  ['network', 'latencyMs'],
  ['network', 'latency'],
  ['network', 'delayMs'],
];

/** Read a duration at a key path ("1s" strings allowed); undefined when absent or invalid. */
function durationAt(root: unknown, path: string[]): number | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node === undefined ? undefined : parseDurationMs(node);
}

/** The short-poll interval T of the scenario, and where it was found. */
export function pollInterval(scenario: unknown): Sourced {
  for (const path of INTERVAL_PATHS) {
    const v = durationAt(scenario, path);
    if (v !== undefined && v > 0) return { value: v, source: `scenario ${path.join('.')}` };
  }
  return { value: CLIENT_DEFAULTS.pollIntervalMs, source: 'not in the scenario: the client default' };
}

/** The round-trip time to use: measured ping RTT, else twice the scenario's one-way delay, else 0. */
export function roundTrip(scenario: unknown, runs: RunView[]): Sourced {
  const ping = runs.map((r) => r.pingRttMs?.p50 ?? null).find((v) => v !== null && v !== undefined);
  if (ping !== undefined && ping !== null)
    return { value: ping, source: 'measured heartbeat ping RTT (p50)' };
  for (const path of DELAY_PATHS) {
    const v = durationAt(scenario, path);
    if (v !== undefined) return { value: 2 * v, source: `2 × scenario ${path.join('.')} (one-way delay)` };
  }
  return { value: 0, source: 'no RTT measured: loopback, taken as 0' };
}

/** Theory rows for every polling run (short-poll and long-poll, any engine). */
export function theoryRows(runs: RunView[], intervalMs: number, rttMs: number): TheoryRow[] {
  return runs.flatMap((run): TheoryRow[] => {
    const measured = { measuredMeanMs: num(run.latency.mean), measuredMaxMs: num(run.latency.max) };
    if (run.protocol === 'short-poll') {
      return [
        { run, ...measured, theoryMeanMs: intervalMs / 2 + rttMs / 2, theoryMaxMs: intervalMs + rttMs / 2 },
      ];
    }
    if (run.protocol === 'long-poll')
      return [{ run, ...measured, theoryMeanMs: rttMs / 2, theoryMaxMs: null }];
    return [];
  });
}

const BARS = [
  { label: 'measured mean', color: '#1E293B', pick: (t: TheoryRow) => t.measuredMeanMs },
  { label: 'theory mean', color: '#94A3B8', pick: (t: TheoryRow) => t.theoryMeanMs },
  { label: 'measured max', color: '#B45309', pick: (t: TheoryRow) => t.measuredMaxMs },
  { label: 'theory max', color: '#FCD34D', pick: (t: TheoryRow) => t.theoryMaxMs },
];

/** A log axis cannot show 0: such bars are left out (the table has the figure). */
function positive(v: number | null): number | null {
  return v !== null && v > 0 ? v : null;
}

/** Chart 8: measured vs theory for the polling runs. */
export function theoryChart(runs: RunView[], scenario: unknown): ChartSpec {
  const interval = pollInterval(scenario);
  const rtt = roundTrip(scenario, runs);
  const rows = theoryRows(runs, interval.value, rtt.value);
  const ms = (v: number | null) => formatValue('ms', v);
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? '—' : `${(a / b).toFixed(2)}×`;
  return {
    id: 'chart-theory',
    title: 'Polling: measured vs theory',
    caption: `Short polling every T has mean latency ≈ T/2 + RTT/2 and max ≈ T + RTT/2; long polling ≈ RTT/2 except for messages that land while the next request is being sent. T = ${formatValue('ms', interval.value)} (${interval.source}); RTT = ${formatValue('ms', rtt.value)} (${rtt.source}). Measured well above theory means the server or the generator adds delay.`,
    config: {
      type: 'bar',
      data: {
        labels: rows.map((r) => r.run.label),
        datasets: BARS.map((b) => ({
          label: b.label,
          data: rows.map((r) => positive(b.pick(r))),
          backgroundColor: b.color,
        })),
      },
      options: { scales: { y: { type: 'logarithmic', title: axisTitle('latency (log scale)') } } },
    },
    units: { y: 'ms' },
    tables: [
      {
        head: [
          'run',
          'measured mean',
          'theory mean',
          'measured / theory',
          'measured max',
          'theory max',
          'measured / theory',
        ],
        rows: rows.map((r) => [
          r.run.label,
          ms(r.measuredMeanMs),
          ms(r.theoryMeanMs),
          ratio(r.measuredMeanMs, r.theoryMeanMs),
          ms(r.measuredMaxMs),
          ms(r.theoryMaxMs),
          ratio(r.measuredMaxMs, r.theoryMaxMs),
        ]),
      },
    ],
    empty: rows.length
      ? undefined
      : 'No polling run in this results file: nothing to hold against the polling theory.',
  };
}
