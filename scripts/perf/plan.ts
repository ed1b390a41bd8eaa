/**
 * What `npm run perf` runs: the comparisons of docs/perf.md as a list of tasks, full or
 * --quick (few clients, two repetitions, seconds each: the CI form). Settings come from
 * core/defaults.ts PERF_DEFAULTS. A task that cannot run here (nginx + nchan not installed)
 * carries why, and is skipped.
 */
import { PERF_DEFAULTS } from '../../core/defaults.ts';
import { nchanMissing } from '../nginx.ts';
import { compareArtillery } from './artillery.ts';
import { compareFanout } from './fanout.ts';
import { compareGeneratorOverhead } from './generator-overhead.ts';
import { comparePolling } from './polling.ts';
import { compareProxy } from './proxy.ts';
import type { Comparison } from './types.ts';

/** The groups --only accepts. */
export const GROUPS = [
  'websocket',
  'generator',
  'poll',
  'proxy',
  'sse',
  'artillery',
  'long-poll',
  'nchan',
] as const;
export type Group = (typeof GROUPS)[number];

export interface PlanOptions {
  quick: boolean;
  only: Group[];
  /** Overrides the default repetitions. */
  repetitions?: number;
}

export interface Task {
  id: string;
  group: Group;
  run: () => Promise<Comparison>;
  /** Why it cannot run here (then it is skipped, not failed). */
  skip?: string;
}

/** The tasks in run order. */
export function plan(o: PlanOptions): Task[] {
  const d = PERF_DEFAULTS;
  const t = d.targets;
  const repetitions = o.repetitions ?? (o.quick ? d.quickRepetitions : d.repetitions);
  const cheapRepetitions = o.repetitions ?? (o.quick ? d.quickRepetitions : d.cheapRepetitions);
  const timing = o.quick
    ? { warmUpMs: d.quickWarmUpMs, measureMs: d.quickMeasureMs }
    : { warmUpMs: d.warmUpMs, measureMs: d.measureMs };
  const load = {
    repetitions,
    ratePerS: d.ratePerS,
    sizeBytes: d.sizeBytes,
    ...timing,
    clientsPerReceiver: d.clientsPerReceiver,
    connectConcurrency: d.connectConcurrency,
  };
  const fanoutClients = o.quick ? [d.quickClients] : d.fanoutClients;
  const fanoutTargets = {
    latencyP50: { max: t.fanoutLatencyP50Max },
    cpuPerDelivered: { max: t.fanoutCpuMax },
  };
  const tasks: Task[] = [];
  for (const protocol of ['websocket', 'sse'] as const) {
    for (const clients of fanoutClients) {
      tasks.push({
        id: `${protocol}-fanout-${clients}`,
        group: protocol,
        run: () =>
          compareFanout({
            protocol,
            clients,
            ...load,
            targets:
              protocol === 'websocket'
                ? { ...fanoutTargets, release: { max: t.fanoutReleaseMax } }
                : fanoutTargets,
          }),
      });
    }
  }
  const generatorClients = o.quick ? d.quickClients : d.generatorClients;
  tasks.push({
    id: `generator-overhead-${generatorClients}`,
    group: 'generator',
    run: () =>
      compareGeneratorOverhead({
        clients: generatorClients,
        ...load,
        repetitions: cheapRepetitions,
        targets: { latencyP50: { max: t.generatorOverheadMax }, latencyP99: { max: t.generatorOverheadMax } },
      }),
  });
  tasks.push({
    id: 'poll-endpoint',
    group: 'poll',
    run: () =>
      comparePolling({
        repetitions: cheapRepetitions,
        connections: d.pollConnections,
        durationMs: o.quick ? d.quickPollDurationMs : d.pollDurationMs,
        targets: { rate: { min: t.pollRateMin } },
      }),
  });
  tasks.push({
    id: 'fault-proxy',
    group: 'proxy',
    run: () =>
      compareProxy({
        repetitions: Math.max(cheapRepetitions, 3),
        pings: o.quick ? d.quickProxyPings : d.proxyPings,
        payloadBytes: d.proxyPayloadBytes,
      }),
  });
  for (const clients of o.quick ? [d.quickClients] : d.longPollClients) {
    tasks.push({
      id: `long-poll-fanout-${clients}`,
      group: 'long-poll',
      run: () =>
        compareFanout({
          protocol: 'long-poll',
          clients,
          ...load,
          ratePerS: o.quick ? d.quickLongPollRatePerS : d.longPollRatePerS,
          measureMs: o.quick ? d.quickLongPollMeasureMs : d.longPollMeasureMs,
          targets: {
            cpuPerDelivered: { max: t.longPollCpuMax },
            release: { max: t.longPollReleaseMax },
          },
        }),
    });
  }
  const artilleryClients = o.quick ? d.quickClients : d.artilleryClients;
  tasks.push({
    id: `generator-vs-artillery-${artilleryClients}`,
    group: 'artillery',
    run: () =>
      compareArtillery({
        clients: artilleryClients,
        repetitions,
        ratePerS: d.ratePerS,
        sizeBytes: d.sizeBytes,
        rampMs: o.quick ? d.quickArtilleryRampMs : d.artilleryRampMs,
        warmUpMs: o.quick ? d.quickArtilleryWarmUpMs : d.artilleryWarmUpMs,
        measureMs: o.quick ? d.quickArtilleryMeasureMs : d.artilleryMeasureMs,
        heartbeatIntervalMs: d.artilleryHeartbeatIntervalMs,
        targets: {
          generatorCpuPerDelivered: { max: t.artilleryGeneratorCpuMax },
          latencyP99: { max: t.artilleryLatencyP99Max },
        },
      }),
  });
  const nchanSkip = nchanMissing();
  for (const protocol of ['sse', 'websocket'] as const) {
    for (const clients of o.quick ? [d.quickClients] : d.nchanClients) {
      tasks.push({
        id: `${protocol}-nchan-${clients}`,
        group: 'nchan',
        ...(nchanSkip ? { skip: nchanSkip } : {}),
        run: () =>
          compareFanout({
            protocol,
            against: 'nchan',
            clients,
            ...load,
            targets: { cpuPerDelivered: { max: t.nchanCpuMax } },
          }),
      });
    }
  }
  // Run order: websocket fan-out, generator overhead, polling, proxy, SSE fan-out, generator vs
  // Artillery, long-poll release, against nginx + nchan.
  const order: Group[] = [...GROUPS];
  return tasks
    .filter((task) => o.only.includes(task.group))
    .sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group));
}
