/**
 * A pushbench server as a child process for the engines (capacity probes, Artillery runs):
 * started on 127.0.0.1 port 0 through the runner's ChildHandle, refused unless loopback, and
 * sampled for CPU / RSS / event-loop delay so every engine reports the server's cost the same way.
 */
import { benchPageDir } from '../clients/browser/page-dir.ts';
import { assertLoopbackTarget } from '../core/loopback.ts';
import type { ServerOptions } from '../servers/app.ts';
import type { ServerStats } from '../servers/stats.ts';
import { ChildHandle } from './child.ts';

const SERVER_ENTRY = new URL('../servers/main.ts', import.meta.url);

export interface ServerChild {
  child: ChildHandle;
  url: string;
}

/** One stats sample: cumulative CPU (ms) at a time, plus RSS and event-loop delay. */
export interface CostSample {
  atMs: number;
  cpuMs: number;
  rssMB: number;
  eventLoopP99Ms: number;
}

/**
 * Spawn `servers/main.ts` with `options` on port 0, serving the browser page too (the server
 * cannot know where it lives: clients/browser/page-dir.ts). Does not wait for it to listen.
 */
export function spawnServerChild(name: string, options: ServerOptions): ChildHandle {
  return new ChildHandle(name, SERVER_ENTRY, {
    PUSHBENCH_SERVER_OPTIONS: JSON.stringify({ port: 0, benchPageDir: benchPageDir(), ...options }),
  });
}

/** Start `servers/main.ts` with `options` (port 0), wait until it listens; loopback only. */
export async function startServerChild(
  name: string,
  options: ServerOptions,
  allowRemote = false,
): Promise<ServerChild> {
  const child = spawnServerChild(name, options);
  try {
    const { url } = await child.waitFor<{ type: string; url: string }>('listening', 20_000);
    assertLoopbackTarget(url, allowRemote);
    return { child, url };
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
}

/** Ask the server child for its process figures. */
export async function sampleCost(server: ChildHandle): Promise<CostSample> {
  const stats = await server.request<ServerStats>('stats');
  return {
    atMs: Date.now(),
    cpuMs: stats.process.cpuUserMs + stats.process.cpuSystemMs,
    rssMB: stats.process.rssMB,
    eventLoopP99Ms: stats.process.eventLoopP99Ms,
  };
}

/** CPU % of one core between two samples (0 when no time passed). */
export function cpuPctBetween(a: CostSample, b: CostSample): number {
  const wallMs = b.atMs - a.atMs;
  return wallMs > 0 ? Math.round(((b.cpuMs - a.cpuMs) / wallMs) * 1000) / 10 : 0;
}

/** The RunResult `server` block from samples taken over a run. */
export function serverFigures(samples: CostSample[]): {
  cpuPct: number;
  rssMB: number;
  eventLoopP99Ms: number;
} {
  if (samples.length < 2) return { cpuPct: 0, rssMB: samples[0]?.rssMB ?? 0, eventLoopP99Ms: 0 };
  return {
    cpuPct: cpuPctBetween(samples[0], samples[samples.length - 1]),
    rssMB: Math.max(...samples.map((s) => s.rssMB)),
    eventLoopP99Ms: Math.max(...samples.slice(1).map((s) => s.eventLoopP99Ms)),
  };
}

export { scenarioServerOptions } from './settings.ts';
