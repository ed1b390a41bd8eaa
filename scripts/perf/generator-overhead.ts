/**
 * Comparison 2 of docs/perf.md: what pushbench's own clients (runner/generator.ts hosting
 * websocket clients with the 3 s heartbeat, dedupe, byte metering, HDR metrics) add to
 * the latency they measure, against the minimal receivers — both measuring the same
 * pushbench websocket server, same clients, same number of processes, same schedule:
 * source on, clients connect, warm-up, one measured window. Repetitions alternate sides.
 */

import { createHistogram, decodeHistogram } from '../../clients/histograms.ts';
import type { WorkerReport } from '../../clients/report-types.ts';
import { HEARTBEAT_DEFAULTS } from '../../core/defaults.ts';
import { ChildHandle } from '../../runner/child.ts';
import type { GeneratorConfig, GeneratorRequest } from '../../runner/generator.ts';
import type { FanoutSettings } from './fanout.ts';
import {
  connectAll,
  disconnectAll,
  drained,
  measureAll,
  type ServerProc,
  sleepUntil,
  startReceivers,
  startServerProc,
  stopAll,
} from './procs.ts';
import { alternate, comparison, sideOf } from './stats.ts';
import type { Comparison } from './types.ts';

const GENERATOR_ENTRY = new URL('../../runner/generator.ts', import.meta.url);

/** The fan-out settings, always over websocket (pushbench's clients vs minimal ws clients). */
export type GeneratorOverheadSettings = Omit<FanoutSettings, 'protocol'>;

interface Schedule {
  processes: number;
  rampMs: number;
  startMs: number;
  endMs: number;
}

type Side = 'minimal' | 'pushbench';

/** Run comparison 2 (both sides, alternating, `repetitions` times). */
export async function compareGeneratorOverhead(s: GeneratorOverheadSettings): Promise<Comparison> {
  const startedAtMs = performance.now();
  const server = await startServerProc('pushbench websocket', {
    kind: 'pushbench',
    protocols: ['websocket'],
    ratePerS: s.ratePerS,
    sizeBytes: s.sizeBytes,
  });
  const notes: string[] = [];
  const reps: Record<Side, Array<Record<string, number>>> = { minimal: [], pushbench: [] };
  try {
    for (let rep = 0; rep < s.repetitions; rep++) {
      for (const side of alternate<Side>(rep, 'minimal', 'pushbench')) {
        const schedule = plan(s);
        await server.handle.request('source-start');
        const figures =
          side === 'minimal'
            ? await minimalTrial(s, server, schedule)
            : await pushbenchTrial(s, server, schedule, notes);
        await server.handle.request('source-stop');
        if (!(await drained(server))) notes.push(`${side}: connections still open after a trial`);
        reps[side].push(figures);
      }
    }
  } finally {
    await stopAll([server.handle]);
  }
  return comparison({
    id: `generator-overhead-${s.clients}`,
    title: `Generator overhead at ${s.clients.toLocaleString('en-US')} clients: pushbench's websocket clients vs minimal ws clients`,
    subject: sideOf("pushbench's websocket clients (runner/generator.ts)", reps.pushbench),
    baseline: sideOf('minimal ws clients', reps.minimal),
    ratioOf: { latencyP50: 'latencyP50Ms', latencyP99: 'latencyP99Ms' },
    targets: s.targets,
    settings: { ...s, targets: undefined, heartbeatIntervalMs: HEARTBEAT_DEFAULTS.intervalMs },
    notes,
    startedAtMs,
  });
}

function plan(s: GeneratorOverheadSettings): Schedule {
  const processes = Math.max(1, Math.ceil(s.clients / s.clientsPerReceiver));
  // Both sides get the same time to connect (1 ms per client, at least 0.5 s): the
  // generator spreads its clients over it, the minimal receivers connect at once.
  const rampMs = Math.max(500, s.clients);
  const startMs = Date.now() + rampMs + s.warmUpMs + 500;
  return { processes, rampMs, startMs, endMs: startMs + s.measureMs };
}

async function minimalTrial(s: GeneratorOverheadSettings, server: ServerProc, at: Schedule) {
  const receivers = await startReceivers(at.processes);
  try {
    const base = server.url.replace(/^http/, 'ws');
    const urls = Array.from({ length: s.clients }, (_, i) => `${base}/ws?client=m${i + 1}`);
    await connectAll(receivers, 'ws', urls, s.connectConcurrency);
    const { latencyUs } = await measureAll(receivers, at.startMs, at.endMs);
    await disconnectAll(receivers);
    return {
      latencyP50Ms: latencyUs.getValueAtPercentile(50) / 1000,
      latencyP99Ms: latencyUs.getValueAtPercentile(99) / 1000,
    };
  } finally {
    await stopAll(receivers);
  }
}

async function pushbenchTrial(
  s: GeneratorOverheadSettings,
  server: ServerProc,
  at: Schedule,
  notes: string[],
) {
  const per = Math.ceil(s.clients / at.processes);
  const ids = Array.from({ length: s.clients }, (_, i) => `g${i + 1}`);
  const gens = Array.from(
    { length: at.processes },
    (_, i) => new ChildHandle<GeneratorRequest>(`generator ${i + 1}`, GENERATOR_ENTRY),
  );
  try {
    await Promise.all(
      gens.map((g, i) => {
        const config: GeneratorConfig = {
          workerIndex: i,
          protocol: 'websocket',
          clientIds: ids.slice(i * per, (i + 1) * per),
          targetUrl: server.url,
          rampUpMs: at.rampMs,
          warmUpEndsAtMs: at.startMs,
          heartbeat: { ...HEARTBEAT_DEFAULTS },
        };
        return g.request('init', { config }, 30_000);
      }),
    );
    for (const g of gens) g.send({ type: 'start' });
    await sleepUntil(at.endMs);
    const reports = await Promise.all(gens.map((g) => g.request<WorkerReport>('snapshot', {}, 30_000)));
    const latencyUs = createHistogram();
    for (const r of reports) latencyUs.add(decodeHistogram(r.histograms.steadyUs));
    const connected = reports.reduce((n, r) => n + r.totals.connected, 0);
    if (connected < s.clients) notes.push(`pushbench clients: only ${connected} of ${s.clients} connected`);
    return {
      latencyP50Ms: latencyUs.getValueAtPercentile(50) / 1000,
      latencyP99Ms: latencyUs.getValueAtPercentile(99) / 1000,
      generatorEventLoopP99Ms: Math.max(...reports.map((r) => r.eventLoop.p99Ms)),
    };
  } finally {
    await stopGenerators(gens);
  }
}

async function stopGenerators(gens: ChildHandle<GeneratorRequest>[]): Promise<void> {
  await Promise.all(
    gens.map(async (g) => {
      if (!g.alive) return;
      g.expectExit();
      await g.request('stop', {}, 10_000).catch(() => undefined);
      await g.stop(1_000);
    }),
  );
}
