/**
 * Comparisons 1, 5, 7 and 8 of docs/perf.md: fan-out to N clients — a bare baseline (a `ws` send
 * loop, a `node:http` SSE write loop, or `node:http` held long polls answered on publish), or
 * nginx + nchan (nchan.ts), vs pushbench's server (heartbeats, accounting and all) — received by
 * the same minimal receivers in their own processes, same rate and size. Both servers run for
 * the whole comparison; each repetition runs both sides,
 * alternating which goes first. Per trial: connect N, publish, warm up, then one
 * measured window: latency p50 / p99 at the receivers, server CPU per 1,000 delivered
 * messages, server memory per open connection (RSS and heap after a GC), and the release
 * time: publish → the last peer's write returned, per message, measured in the server.
 */
import type { ChildHandle } from '../../runner/child.ts';
import { startNchanServer } from './nchan.ts';
import {
  connectAll,
  disconnectAll,
  drained,
  type FanoutServer,
  fanoutServer,
  measureAll,
  sleep,
  sleepUntil,
  startReceivers,
  startServerProc,
  stopAll,
} from './procs.ts';
import type { ReceiverProtocol } from './receiver-clients.ts';
import { alternate, comparison, median, sideOf } from './stats.ts';
import type { Comparison, Side, Target } from './types.ts';

export interface FanoutSettings {
  protocol: 'websocket' | 'sse' | 'long-poll';
  /** What pushbench is measured against: the bare server (default) or nginx + nchan (not long-poll). */
  against?: 'bare' | 'nchan';
  clients: number;
  repetitions: number;
  ratePerS: number;
  sizeBytes: number;
  warmUpMs: number;
  measureMs: number;
  clientsPerReceiver: number;
  connectConcurrency: number;
  targets: Record<string, Target>;
}

interface SideSpec {
  name: string;
  server: FanoutServer;
}

/** Run one fan-out comparison (both sides, alternating, `repetitions` times). */
export async function compareFanout(s: FanoutSettings): Promise<Comparison> {
  const startedAtMs = performance.now();
  const common = { ratePerS: s.ratePerS, sizeBytes: s.sizeBytes };
  const procs: ChildHandle[] = [];
  const stops: Array<() => Promise<void>> = [];
  const bareOf = { websocket: 'bare-ws', sse: 'bare-sse', 'long-poll': 'bare-long-poll' } as const;
  const bareName = {
    websocket: 'bare ws send loop',
    sse: 'bare http SSE loop',
    'long-poll': 'bare http long-poll',
  };
  const path = { websocket: '/ws', sse: '/sse', 'long-poll': '/long-poll' }[s.protocol];
  const title = { websocket: 'WebSocket', sse: 'SSE', 'long-poll': 'Long-poll' }[s.protocol];
  const nchan = s.against === 'nchan';
  if (nchan && s.protocol === 'long-poll') throw new Error('the nchan comparison is SSE and WebSocket');
  const notes: string[] = [];
  try {
    let floor: SideSpec;
    let publishFailures = () => 0;
    let extra: Record<string, unknown> | undefined;
    if (nchan) {
      const server = await startNchanServer(s);
      stops.push(() => server.stop());
      publishFailures = server.publishFailures;
      extra = { nginxPids: server.pids };
      floor = { name: 'nginx + nchan', server };
    } else {
      const bare = await startServerProc(`bare ${s.protocol}`, { kind: bareOf[s.protocol], ...common });
      procs.push(bare.handle);
      floor = { name: bareName[s.protocol], server: fanoutServer(bare, path) };
    }
    const ours = await startServerProc(`pushbench ${s.protocol}`, {
      kind: 'pushbench',
      protocols: [s.protocol],
      ...common,
    });
    procs.push(ours.handle);
    const receivers = await startReceivers(Math.max(1, Math.ceil(s.clients / s.clientsPerReceiver)));
    procs.push(...receivers);
    const sides: SideSpec[] = [floor, { name: `pushbench ${s.protocol}`, server: fanoutServer(ours, path) }];
    const reps = new Map<SideSpec, Array<Record<string, number>>>(sides.map((side) => [side, []]));
    for (let rep = 0; rep < s.repetitions; rep++) {
      for (const side of alternate(rep, sides[0], sides[1])) {
        reps.get(side)!.push(await trial(s, side, receivers, notes));
      }
    }
    const n = s.clients.toLocaleString('en-US');
    const subject = sideOf(sides[1].name, reps.get(sides[1])!);
    const baseline = sideOf(sides[0].name, reps.get(sides[0])!);
    notes.push(...receiverBoundNotes([subject, baseline]));
    if (publishFailures()) notes.push(`nginx + nchan: ${publishFailures()} publishes not accepted`);
    const latencyAndCpu = {
      latencyP50: 'latencyP50Ms',
      latencyP99: 'latencyP99Ms',
      cpuPerDelivered: 'cpuMsPer1000Delivered',
    };
    // nginx has no heap to read, and its release happens inside it.
    const ratioOf = nchan
      ? latencyAndCpu
      : { ...latencyAndCpu, memoryPerConnection: 'heapKBPerConnection', release: 'releaseP50Ms' };
    return comparison({
      id: `${s.protocol}-${nchan ? 'nchan' : 'fanout'}-${s.clients}`,
      title: `${title} fan-out to ${n} clients: pushbench vs ${sides[0].name}`,
      subject,
      baseline,
      ratioOf,
      targets: s.targets,
      settings: {
        ...s,
        targets: undefined,
        receiverProcesses: receivers.length,
        ...(nchan ? { nginxWorkerProcesses: 1 } : {}),
      },
      extra,
      notes,
      startedAtMs,
    });
  } finally {
    await Promise.all([stopAll(procs), ...stops.map((stop) => stop())]);
  }
}

/**
 * A side whose receivers spent more CPU per message than its server: the receivers set the
 * pace of a broadcast (on 2 cores they share the CPU with the server), so its latency
 * measures them as much as the server.
 */
function receiverBoundNotes(sides: Side[]): string[] {
  return sides
    .filter((side) => side.figures.receiverCpuMsPer1000Delivered > side.figures.cpuMsPer1000Delivered)
    .map(
      (side) =>
        `${side.name}: receiver-bound — receivers ${side.figures.receiverCpuMsPer1000Delivered} ms CPU per 1,000 messages, server ${side.figures.cpuMsPer1000Delivered}: latency measures the receivers as much as the server`,
    );
}

/** One side, one repetition: connect, publish, warm up, measure one window, disconnect. */
async function trial(
  s: FanoutSettings,
  side: SideSpec,
  receivers: ChildHandle[],
  notes: string[],
): Promise<Record<string, number>> {
  const protocol: ReceiverProtocol = s.protocol === 'websocket' ? 'ws' : s.protocol;
  const scheme = protocol === 'ws' ? 'ws' : 'http';
  const base = side.server.endpoint.replace(/^http/, scheme);
  const urls = Array.from({ length: s.clients }, (_, i) => `${base}?client=p${i + 1}`);
  const before = await side.server.memory();
  const { open, failed } = await connectAll(receivers, protocol, urls, s.connectConcurrency);
  if (failed > 0) notes.push(`${side.name}: ${failed} of ${s.clients} receivers failed to connect`);
  const after = await side.server.memory();
  await side.server.startSource();
  await sleep(s.warmUpMs);
  const startMs = Date.now() + 100;
  const endMs = startMs + s.measureMs;
  const measured = measureAll(receivers, startMs, endMs);
  await sleepUntil(startMs);
  const cpu0 = await side.server.cpuMs();
  await side.server.releaseTimes?.();
  await sleepUntil(endMs);
  const cpu1 = await side.server.cpuMs();
  const releases = await side.server.releaseTimes?.();
  const { delivered, latencyUs, receiverCpuMs } = await measured;
  await side.server.stopSource();
  await disconnectAll(receivers);
  if (!(await drained(side.server))) notes.push(`${side.name}: connections still open after a trial`);
  const expected = (s.ratePerS * s.measureMs * open) / 1000;
  const perOpen = (kb: number | undefined, kb0: number | undefined) =>
    open && kb !== undefined && kb0 !== undefined ? (kb - kb0) / open : Number.NaN;
  return {
    latencyP50Ms: latencyUs.getValueAtPercentile(50) / 1000,
    latencyP99Ms: latencyUs.getValueAtPercentile(99) / 1000,
    cpuMsPer1000Delivered: delivered ? ((cpu1 - cpu0) * 1000) / delivered : Number.NaN,
    serverCpuPct: ((cpu1 - cpu0) / s.measureMs) * 100,
    receiverCpuMsPer1000Delivered: delivered ? (receiverCpuMs * 1000) / delivered : Number.NaN,
    delivered,
    deliveredShare: expected ? delivered / expected : 0,
    rssKBPerConnection: perOpen(after.rssKB, before.rssKB),
    // Absent where the server cannot tell (nginx: no heap, the release inside it).
    ...(after.heapKB === undefined ? {} : { heapKBPerConnection: perOpen(after.heapKB, before.heapKB) }),
    ...(releases === undefined
      ? {}
      : {
          releaseP50Ms: median(releases),
          releaseMaxMs: releases.length ? Math.max(...releases) : Number.NaN,
        }),
  };
}
