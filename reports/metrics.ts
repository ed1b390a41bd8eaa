/**
 * The figures the verdict table and the baseline comparison show, as data: label, unit, which
 * direction is better, and how to read it from a RunView. Adding a column = one entry here.
 */
import { formatValue, type Unit } from './format.ts';
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
  /** Words shown instead of the number when it alone would mislead ("not detected (0 of 50)"). */
  text?: (run: RunView) => string | null;
}

/** How many of the clients that should have had a figure have one. */
interface Coverage {
  of: (r: RunView) => number | null;
  got: (r: RunView) => number | null;
  /** Shown when none has it ("not detected"). */
  none: string;
}

/** "not detected (0 of 50)" / " (30 of 50)" when some clients have no sample; null when all do. */
function coverageText(c: Coverage, r: RunView, value: string): string | null {
  const of = c.of(r);
  const got = c.got(r);
  if (of === null || got === null || of === 0 || got >= of) return null;
  return got === 0 ? `${c.none} (0 of ${of})` : `${value} (${got} of ${of})`;
}

const LAT_HELP =
  "client receive time − scheduled publish time; for short-/long-poll it includes the wait for the client's next poll (short-poll: about half the poll interval on average)";

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
    help: 'HTTP requests sent inside the measured window per second, all clients (ramp, warm-up and drain left out)',
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
  {
    id: 'generator-cpu-per-msg',
    group: 'Generator',
    label: 'CPU/msg',
    unit: 'ms',
    better: 'lower',
    get: (r) => r.generator.cpuMsPerMsg,
    optional: true,
    baseline: true,
    floor: 0.001,
    help: 'CPU time of the load-generating processes (generators, Artillery, or the browser host with Chromium) per delivered message; — when not measured',
  },
];

const t = (
  label: string,
  help: string,
  pick: (r: RunView) => { p50: number | null; max: number | null },
  base: boolean,
  coverage?: Coverage,
): Metric[] =>
  (['p50', 'max'] as const).map(
    (k): Metric => ({
      id: `${label}-${k}`,
      group: label,
      label: k,
      unit: 'ms',
      better: 'lower',
      get: (r) => pick(r)[k],
      // A figure that leaves out clients which never got there is never the best.
      rank: (r) => (coverage && coverageText(coverage, r, '') !== null ? null : pick(r)[k]),
      ...(k === 'p50' ? { baseline: base } : {}),
      text: coverage ? (r) => coverageText(coverage, r, formatValue('ms', pick(r)[k])) : undefined,
      help,
    }),
  );

const DETECTED: Coverage = {
  of: (r) => r.reconnects.affected,
  got: (r) => r.reconnects.detected,
  none: 'not detected',
};
const REOPENED: Coverage = {
  of: (r) => r.reconnects.detected,
  got: (r) => r.reconnects.reconnected,
  none: 'not reconnected',
};
const CAUGHT_UP: Coverage = {
  of: (r) => r.reconnects.detected,
  got: (r) => r.reconnects.caughtUp,
  none: 'not caught up',
};
/** Dead connections the server freed, of all it should have freed. */
const FREED: Coverage = {
  of: (r) =>
    r.reconnects.zombiesFreed === null || r.reconnects.zombiesNeverFreed === null
      ? null
      : r.reconnects.zombiesFreed + r.reconnects.zombiesNeverFreed,
  got: (r) => r.reconnects.zombiesFreed,
  none: 'never freed',
};

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
  ...t(
    'Detect',
    'fault applied → client declares the connection dead ("not detected (0 of N)": N affected clients never noticed)',
    (r) => r.reconnects.detect,
    true,
    DETECTED,
  ),
  ...t(
    'Reconnect',
    'detection → new connection open (includes backoff)',
    (r) => r.reconnects.reconnect,
    true,
    REOPENED,
  ),
  ...t(
    'Recover',
    'fault removed → every message of the outage delivered (negative: before the removal)',
    (r) => r.reconnects.recover,
    true,
    CAUGHT_UP,
  ),
  ...t(
    'Zombie',
    'fault applied → server frees the dead connection ("never freed": it still held it when the run ended)',
    (r) => r.reconnects.zombie,
    true,
    FREED,
  ),
];

/** Every metric, in table order. */
export const ALL_METRICS: Metric[] = [...LATENCY_METRICS, ...COST_METRICS, ...RECONNECT_METRICS];
