/**
 * How many polling clients can this server carry? autocannon (programmatic API, fixed-rate
 * mode) against /poll or /long-poll of a server child on loopback, at rising request rates;
 * the capacity is the highest rate whose step kept the SLO, achieved ≥ 95 % of its rate and
 * had no errors — then clients ≈ rate × poll interval.
 *
 * What is measured: the server publishes nothing (rate 0), so every answer is an empty poll —
 * the common case and the pure cost of a request. Long polling is probed with `wait=0`: the
 * cost of one long-poll round trip, which a client pays once per delivered message (or per
 * `wait` timeout), so "clients at interval T" reads "clients receiving one message every T".
 * Holding requests costs memory and file descriptors, not request rate: not measured here.
 */
import os from 'node:os';
import type { CAPACITY_DEFAULTS } from '../core/defaults.ts';
import type { CapacityProbeResult, CapacityStep } from '../core/types.ts';
import { type ServerChild, sampleCost, startServerChild } from '../runner/server-child.ts';
import { cpuPctBetween, type ServerSample } from '../runner/server-figures.ts';
import { runAutocannon } from './autocannon-api.ts';
import { type CapacitySlo, runSearch, sloReasons } from './capacity-search.ts';

export type PollingProtocol = 'short-poll' | 'long-poll';

export interface PollingProbeOptions extends Omit<typeof CAPACITY_DEFAULTS, 'protocols'> {
  protocol: PollingProtocol;
  slo: CapacitySlo;
  /** Use autocannon's own coordinated-omission back-fill (off by default, see docs/engines.md). */
  coCorrection: boolean;
  signal?: AbortSignal;
  onStep?: (step: CapacityStep) => void;
}

const PATHS: Record<PollingProtocol, string> = {
  'short-poll': '/poll?since=0&client=capacity',
  'long-poll': '/long-poll?since=0&client=capacity&wait=0',
};

/** Probe one polling protocol; starts and always stops its own server child. */
export async function probePolling(o: PollingProbeOptions): Promise<CapacityProbeResult> {
  const server = await startServerChild(`server (${o.protocol}, capacity)`, {
    protocols: [o.protocol],
    ratePerS: 0,
  });
  try {
    const url = server.url + PATHS[o.protocol];
    // Warm-up (JIT, sockets): not recorded.
    await load(url, o.startRatePerS, o.warmUpMs, o);
    const { steps, bounded } = await runSearch(
      { start: o.startRatePerS, factor: o.rateFactor, max: o.maxRatePerS, min: 10, ...o },
      async (rate) => {
        const step = await measureStep(server, url, rate, o);
        o.onStep?.(step);
        return step;
      },
    );
    return summarize(o, steps, bounded);
  } finally {
    await server.child.stop(3_000);
  }
}

function load(url: string, rate: number, ms: number, o: PollingProbeOptions) {
  return runAutocannon(
    {
      url,
      connections: Math.max(1, Math.min(o.connections, rate)),
      overallRate: rate,
      duration: ms / 1000,
      timeout: o.requestTimeoutMs / 1000,
      ignoreCoordinatedOmission: !o.coCorrection,
    },
    o.signal,
  );
}

async function measureStep(
  server: ServerChild,
  url: string,
  rate: number,
  o: PollingProbeOptions,
): Promise<CapacityStep> {
  const before: ServerSample = await sampleCost(server.child);
  const cpu0 = process.cpuUsage();
  const r = await load(url, rate, o.stepDurationMs, o);
  const cpu = process.cpuUsage(cpu0);
  const after = await sampleCost(server.child);
  const achieved = r.duration > 0 ? r.requests.total / r.duration : 0;
  const errors = r.errors + r.non2xx;
  const latency = { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max };
  const reasons = sloReasons(o.slo, latency);
  if (achieved < o.minAchievedShare * rate)
    reasons.push(`achieved ${Math.round((achieved / rate) * 100)}% of the rate`);
  if (errors) reasons.push(`${errors} errors (${r.timeouts} timeouts, ${r.non2xx} non-2xx)`);
  return {
    ratePerS: rate,
    achievedRatePerS: Math.round(achieved * 10) / 10,
    ...latency,
    errors,
    serverCpuPct: cpuPctBetween(before, after),
    generatorCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / (after.atMs - before.atMs)) * 1000) / 10,
    passed: reasons.length === 0,
    reasons,
  };
}

function summarize(
  o: PollingProbeOptions,
  steps: Array<CapacityStep & { x: number }>,
  bounded: string | undefined,
): CapacityProbeResult {
  const points = steps
    .map(({ x: _x, ...step }) => step)
    .sort((a, b) => (a.ratePerS ?? 0) - (b.ratePerS ?? 0));
  const good = points.filter((p) => p.passed);
  const best = good.length ? good[good.length - 1] : null;
  // Capacity is what autocannon sustained at the best step, never more than its target.
  const maxRatePerS = best ? Math.floor(Math.min(best.ratePerS ?? 0, best.achievedRatePerS ?? 0)) : null;
  const clientsAtIntervalMs: Record<string, number> = {};
  for (const ms of o.intervalsMs)
    clientsAtIntervalMs[String(ms)] = Math.floor(((maxRatePerS ?? 0) * ms) / 1000);
  const notes = [
    `autocannon (in the CLI process) and the server (a child process) share this machine's ${os.cpus().length} cores` +
      (best
        ? `; at ${best.ratePerS}/s the server used ${best.serverCpuPct}% of a core, autocannon ${best.generatorCpuPct}%`
        : ''),
    o.protocol === 'long-poll'
      ? 'long-poll probed with wait=0 (one round trip per request): clients at interval T = clients receiving one message every T'
      : 'every poll is an empty answer (the server publishes nothing): the cost of carrying messages comes on top',
  ];
  if (bounded) notes.push(`search stopped at a bound: ${bounded}`);
  return {
    protocol: o.protocol,
    method: 'autocannon',
    points,
    maxRatePerS,
    clientsAtIntervalMs,
    ...(bounded ? { bounded } : {}),
    notes,
  };
}
