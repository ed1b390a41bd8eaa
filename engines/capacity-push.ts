/**
 * How many SSE / WebSocket clients can this server carry? autocannon speaks only HTTP
 * request/response, so push protocols are stepped up with pushbench's own clients (the
 * websocket-shootout method): a full protocol run (server child + generator children) per
 * client count, rising geometrically until a step breaks the SLO (latency) or loses a message;
 * the answer is the largest count that held, at the given message rate and size.
 */

import type { CAPACITY_DEFAULTS } from '../core/defaults.ts';
import type { CapacityProbeResult, CapacityStep, RunResult } from '../core/types.ts';
import { runProtocol } from '../runner/protocol-run.ts';
import { applyOverrides, defaultScenario } from '../scenarios/load.ts';
import { type CapacitySlo, runSearch, sloReasons } from './capacity-search.ts';

export type PushProtocol = 'sse' | 'websocket' | 'socket.io';

export interface PushProbeOptions extends Omit<typeof CAPACITY_DEFAULTS, 'protocols'> {
  protocol: PushProtocol;
  slo: CapacitySlo;
  /** Broadcast messages per second and their size during every step. */
  ratePerS: number;
  sizeBytes: number;
  signal?: AbortSignal;
  onStep?: (step: CapacityStep) => void;
}

/** Probe one push protocol by client count; every step's children are stopped by runProtocol. */
export async function probePush(o: PushProbeOptions): Promise<CapacityProbeResult> {
  const { steps, bounded } = await runSearch(
    { start: o.startClients, factor: o.clientsFactor, max: o.maxClients, min: 1, ...o },
    async (clients) => {
      const step = toStep(await runStep(o, clients), o.slo);
      o.onStep?.(step);
      return step;
    },
  );
  const points = steps.map(({ x: _x, ...s }) => s).sort((a, b) => (a.clients ?? 0) - (b.clients ?? 0));
  const good = points.filter((p) => p.passed);
  const best = good.length ? good[good.length - 1] : null;
  const notes = [
    `each step is a full pushbench run: ${o.ratePerS} messages/s broadcast × ${o.sizeBytes} B, ` +
      `${o.stepDurationMs / 1000} s measured; the generator processes and the server share this machine`,
  ];
  const saturated = points.filter((p) => p.generatorSaturated).map((p) => p.clients);
  if (saturated.length)
    notes.push(
      `generator saturated at ${saturated.join(', ')} clients: the limit may be the generator's, not the server's`,
    );
  if (bounded) notes.push(`search stopped at a bound: ${bounded}`);
  return {
    protocol: o.protocol,
    method: 'clients',
    points,
    maxClients: best?.clients ?? null,
    ...(bounded ? { bounded } : {}),
    notes,
  };
}

function runStep(o: PushProbeOptions, clients: number): Promise<RunResult> {
  const scenario = applyOverrides(defaultScenario(), {
    name: `capacity-${o.protocol}-${clients}`,
    protocols: [o.protocol],
    clients,
    durationMs: o.stepDurationMs,
    rampUpMs: o.pushRampUpMs,
    warmUpMs: o.warmUpMs,
    drainMs: o.pushDrainMs,
    ratePerS: o.ratePerS,
    sizeBytes: o.sizeBytes,
  });
  return runProtocol({
    scenario,
    protocol: o.protocol,
    quiet: true,
    allowRemote: false,
    signal: o.signal,
  });
}

function toStep(run: RunResult, slo: CapacitySlo): CapacityStep {
  const l = run.latencyMs;
  const latency = { p50: l.p50, p90: l.p90, p99: l.p99, max: l.max };
  const reasons = sloReasons(slo, latency);
  if (run.delivery.lost > 0) reasons.push(`${run.delivery.lost} messages lost`);
  if (run.delivery.delivered === 0) reasons.push('nothing delivered');
  return {
    clients: run.clients,
    ...latency,
    errors: Object.values(run.errors ?? {}).reduce((a, b) => a + b, 0),
    lost: run.delivery.lost,
    serverCpuPct: run.server.cpuPct ?? 0,
    generatorSaturated: run.generator.saturated,
    passed: reasons.length === 0,
    reasons,
  };
}
