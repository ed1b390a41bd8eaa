/**
 * Comparison 6 of docs/perf.md: pushbench's load generator against Artillery's, both driving
 * WebSocket clients with the 3 s heartbeat against the same kind of pushbench server child.
 * Each side is the real engine (`pushbench run` and `pushbench run --engine artillery`, called
 * in-process) on the same scenario; the figures come from the results.json each writes:
 * generator.cpuMsPerDeliveredMessage (the load side's CPU over the measured window ÷ messages
 * delivered in it) and the latency percentiles. Repetitions alternate which engine goes first.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunResult } from '../../core/types.ts';
import { runArtilleryScenario } from '../../engines/artillery-engine.ts';
import { runScenario } from '../../runner/runner.ts';
import { resolveScenario } from '../../scenarios/load.ts';
import type { Scenario } from '../../scenarios/schema.ts';
import { alternate, comparison, sideOf } from './stats.ts';
import type { Comparison, Target } from './types.ts';

export interface ArtillerySettings {
  clients: number;
  repetitions: number;
  ratePerS: number;
  sizeBytes: number;
  rampMs: number;
  warmUpMs: number;
  measureMs: number;
  heartbeatIntervalMs: number;
  targets: Record<string, Target>;
}

type Engine = 'pushbench' | 'artillery';

/** The scenario both engines run. */
export function artilleryScenario(s: ArtillerySettings): Scenario {
  return resolveScenario(
    {
      name: 'perf-generator-vs-artillery',
      protocols: ['websocket'],
      clients: s.clients,
      ramp: `${s.rampMs}ms`,
      warmup: `${s.warmUpMs}ms`,
      duration: `${s.measureMs}ms`,
      drain: '1s',
      source: { rate: `${s.ratePerS}/s`, size: `${s.sizeBytes}B` },
      heartbeat: { interval: `${s.heartbeatIntervalMs}ms` },
    },
    'perf-generator-vs-artillery',
  );
}

/** Run comparison 6. */
export async function compareArtillery(s: ArtillerySettings): Promise<Comparison> {
  const startedAtMs = performance.now();
  const scenario = artilleryScenario(s);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-perf-artillery-'));
  const reps: Record<Engine, Array<Record<string, number>>> = { pushbench: [], artillery: [] };
  const notes: string[] = [];
  try {
    for (let rep = 0; rep < s.repetitions; rep++) {
      for (const engine of alternate<Engine>(rep, 'artillery', 'pushbench')) {
        const run = engine === 'pushbench' ? runScenario : runArtilleryScenario;
        const outcome = await run({ scenario, outDir: path.join(dir, `${engine}-${rep}`), quiet: true });
        if (outcome.failure) throw outcome.failure;
        const [result] = outcome.results.runs;
        reps[engine].push(figures(result));
        if (result.generator.cpuMsPerDeliveredMessage == null)
          notes.push(`${engine}, repetition ${rep + 1}: generator CPU not measured (needs Linux /proc)`);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return comparison({
    id: `generator-vs-artillery-${s.clients}`,
    title: `Load generator at ${s.clients.toLocaleString('en-US')} WebSocket clients (${s.heartbeatIntervalMs / 1000} s heartbeat): pushbench's generators vs Artillery`,
    subject: sideOf("pushbench's generators (pushbench run)", reps.pushbench),
    baseline: sideOf('Artillery 2.0.21 (pushbench run --engine artillery)', reps.artillery),
    ratioOf: {
      generatorCpuPerDelivered: 'generatorCpuUsPerDelivered',
      latencyP50: 'latencyP50Ms',
      latencyP99: 'latencyP99Ms',
    },
    targets: s.targets,
    settings: { ...s, targets: undefined },
    notes,
    startedAtMs,
  });
}

function figures(r: RunResult): Record<string, number> {
  const gen = r.generator.cpuMsPerDeliveredMessage;
  return {
    generatorCpuUsPerDelivered: gen == null ? Number.NaN : gen * 1000,
    latencyP50Ms: r.latencyMs.p50,
    latencyP99Ms: r.latencyMs.p99,
    deliveredShare: r.delivery.expected ? r.delivery.delivered / r.delivery.expected : Number.NaN,
  };
}
