/**
 * The figures the verdict table and the baseline comparison show, as data: label, unit, which
 * direction is better, and how to read it from a RunView. Adding a column = one entry here.
 */
import type { Unit } from './format.ts';
import type { RunView } from './model.ts';

export interface Metric {
  id: string;
  /** Verdict table group (one header cell spanning its metrics). */
  group: string;
  label: string;
  unit: Unit;
  better: 'lower' | 'higher';
  get: (run: RunView) => number | null;
  /** What "best" compares when the shown figure is not comparable across runs (e.g. counts of different sizes). */
  rank?: (run: RunView) => number | null;
  /** Compared against a --baseline run. */
  baseline?: boolean;
  /** Shown only when at least one run has it (extensions). */
  optional?: boolean;
  /** Name outside the verdict table (baseline rows); default "<group> <label>". */
  name?: string;
  /** Never marked best (e.g. a reconnect count: 0 can mean "never noticed the fault"). */
  noBest?: boolean;
  /** Smallest change that counts as a baseline regression (default: the unit's floor, baseline.ts). */
  floor?: number;
  /** Tooltip: what the figure means. */
  help: string;
}

const LAT_HELP = 'client receive time − publish time';

export const LATENCY_METRICS: Metric[] = [
  {
    id: 'p50',
    group: 'Latency (steady)',
    label: 'p50',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.latency.p50,
    baseline: true,
    help: LAT_HELP,
  },
  {
    id: 'p99',
    group: 'Latency (steady)',
    label: 'p99',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.latency.p99,
    baseline: true,
    help: LAT_HELP,
  },
  {
    id: 'max',
    group: 'Latency (steady)',
    label: 'max',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.latency.max,
    baseline: true,
    help: LAT_HELP,
  },
  {
    id: 'rec-p50',
    group: 'Latency (recovered)',
    label: 'p50',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.recovered.p50,
    help: 'messages published during an outage, delivered after reconnect',
  },
  {
    id: 'rec-p99',
    group: 'Latency (recovered)',
    label: 'p99',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.recovered.p99,
    baseline: true,
    help: 'messages published during an outage, delivered after reconnect',
  },
  {
    id: 'rec-max',
    group: 'Latency (recovered)',
    label: 'max',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.recovered.max,
    help: 'messages published during an outage, delivered after reconnect',
  },
  {
    id: 'delivered',
    group: 'Delivery',
    label: 'delivered',
    unit: 'count',
    better: 'higher',
    get: (r) => r.delivery.delivered,
    rank: (r) => r.delivery.deliveredShare,
    help: 'unique messages received (share of expected)',
  },
  {
    id: 'lost',
    group: 'Delivery',
    label: 'lost',
    unit: 'count',
    better: 'lower',
    get: (r) => r.delivery.lost,
    rank: (r) => r.delivery.lostShare,
    baseline: true,
    help: 'expected − delivered',
  },
  {
    id: 'duplicates',
    group: 'Delivery',
    label: 'dup',
    name: 'Duplicates',
    unit: 'count',
    better: 'lower',
    get: (r) => r.delivery.duplicates,
    baseline: true,
    help: 'messages received more than once',
  },
];

export const COST_METRICS: Metric[] = [
  {
    id: 'bytes-per-msg',
    group: 'Bandwidth',
    label: 'bytes/msg',
    unit: 'bytes',
    better: 'lower',
    get: (r) => r.bytes.perMsg,
    baseline: true,
    help: 'socket bytes (both directions) per delivered message',
  },
  {
    id: 'overhead-share',
    group: 'Bandwidth',
    label: 'overhead',
    unit: 'pct',
    better: 'lower',
    get: (r) => r.bytes.overheadShare,
    help: 'share of bytes that are not message payload',
  },
  {
    id: 'requests-per-s',
    group: 'Requests',
    label: 'req/s',
    unit: 'perS',
    better: 'lower',
    get: (r) => r.requests.perS,
    baseline: true,
    help: 'HTTP requests per second, all clients',
  },
  {
    id: 'empty-share',
    group: 'Requests',
    label: 'empty',
    unit: 'pct',
    better: 'lower',
    get: (r) => r.requests.emptyShare,
    help: 'share of answers that carried no message',
  },
  {
    id: 'cpu',
    group: 'Server',
    label: 'CPU',
    unit: 'cpuPct',
    better: 'lower',
    get: (r) => r.server.cpuPct,
    baseline: true,
    help: 'server process CPU (100% = one core)',
  },
  {
    id: 'rss',
    group: 'Server',
    label: 'RSS',
    unit: 'mb',
    better: 'lower',
    get: (r) => r.server.rssMB,
    baseline: true,
    help: 'server resident memory',
  },
  {
    id: 'cpu-per-msg',
    group: 'Server',
    label: 'CPU/msg',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.server.cpuMsPerMsg,
    optional: true,
    baseline: true,
    floor: 0.001,
    help: 'server CPU time per delivered message',
  },
  {
    id: 'kb-per-conn',
    group: 'Server',
    label: 'mem/conn',
    unit: 'kb',
    better: 'lower',
    get: (r) => r.server.kbPerConnection,
    optional: true,
    baseline: true,
    help: 'server memory per open connection',
  },
];

const t = (
  label: string,
  help: string,
  pick: (r: RunView) => { p50: number | null; max: number | null },
  base: boolean,
): Metric[] => [
  {
    id: `${label}-p50`,
    group: label,
    label: 'p50',
    unit: 'ms',
    better: 'lower',
    get: (r) => pick(r).p50,
    baseline: base,
    help,
  },
  {
    id: `${label}-max`,
    group: label,
    label: 'max',
    unit: 'ms',
    better: 'lower',
    get: (r) => pick(r).max,
    help,
  },
];

export const RECONNECT_METRICS: Metric[] = [
  {
    id: 'reconnects',
    group: 'Reconnects',
    label: 'count',
    unit: 'count',
    better: 'lower',
    noBest: true,
    get: (r) => r.reconnects.count,
    help: 'reconnections over the run, all clients',
  },
  ...t('Detect', 'fault start → client declares the connection dead', (r) => r.reconnects.detect, true),
  ...t(
    'Reconnect',
    'detection → new connection open (includes backoff)',
    (r) => r.reconnects.reconnect,
    true,
  ),
  ...t('Recover', 'fault end → every message of the outage delivered', (r) => r.reconnects.recover, true),
  ...t('Zombie', 'fault start → server frees the dead connection', (r) => r.reconnects.zombie, true),
];

/** Every metric, in table order. */
export const ALL_METRICS: Metric[] = [...LATENCY_METRICS, ...COST_METRICS, ...RECONNECT_METRICS];
