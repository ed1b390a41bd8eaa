/**
 * Comparison 4 of docs/perf.md: round trips through the fault proxy with no fault vs direct,
 * against a raw TCP echo server in its own process (scripts/proxy-overhead.ts does the
 * ping-pong; the proxy lives in this process, as in a generator). Each repetition runs
 * one round of `pings` each way, alternating which goes first; p50 / p99 per round.
 */
import type { Socket } from 'node:net';
import { FaultProxy } from '../../network/proxy.ts';
import { open, pingPong, startEchoServer } from '../proxy-overhead.ts';
import { alternate, comparison, sideOf } from './stats.ts';
import type { Comparison } from './types.ts';

export interface ProxySettings {
  repetitions: number;
  pings: number;
  payloadBytes: number;
}

const WARMUP_PINGS = 500;

/** Run comparison 4. */
export async function compareProxy(s: ProxySettings): Promise<Comparison> {
  const startedAtMs = performance.now();
  const echo = await startEchoServer();
  const proxy = new FaultProxy({ target: { host: '127.0.0.1', port: echo.port } });
  const sockets: Socket[] = [];
  try {
    const direct = await open(echo.port);
    const proxied = await open(await proxy.lane('clean'));
    sockets.push(direct, proxied);
    await pingPong(direct, WARMUP_PINGS, s.payloadBytes);
    await pingPong(proxied, WARMUP_PINGS, s.payloadBytes);
    const reps = {
      direct: [] as Array<Record<string, number>>,
      proxied: [] as Array<Record<string, number>>,
    };
    for (let rep = 0; rep < s.repetitions; rep++) {
      for (const side of alternate(rep, 'direct' as const, 'proxied' as const)) {
        const samples = await pingPong(side === 'direct' ? direct : proxied, s.pings, s.payloadBytes);
        reps[side].push(summary(samples));
      }
    }
    const subject = sideOf('through the fault proxy (no fault)', reps.proxied);
    const baseline = sideOf('direct', reps.direct);
    return comparison({
      id: 'fault-proxy',
      title: `Fault proxy: ${s.payloadBytes} B round trips through the proxy (no fault) vs direct`,
      subject,
      baseline,
      ratioOf: { latencyP50: 'roundTripP50Us', latencyP99: 'roundTripP99Us' },
      settings: { ...s },
      extra: {
        addedP50Us: Math.round((subject.figures.roundTripP50Us - baseline.figures.roundTripP50Us) * 10) / 10,
        addedP99Us: Math.round((subject.figures.roundTripP99Us - baseline.figures.roundTripP99Us) * 10) / 10,
      },
      startedAtMs,
    });
  } finally {
    for (const socket of sockets) socket.destroy();
    await proxy.close();
    echo.close();
  }
}

function summary(samplesUs: number[]): Record<string, number> {
  const sorted = [...samplesUs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return { roundTripP50Us: at(50), roundTripP99Us: at(99) };
}
