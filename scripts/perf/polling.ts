/**
 * Comparison 3 of docs/perf.md: the maximum rate of pushbench's `GET /poll` against a bare
 * fastify route returning the same empty answer, with autocannon (and wrk where
 * installed, whose rate against the bare route shows autocannon's own ceiling). Both
 * servers run in their own processes for the whole comparison; each repetition loads
 * both, alternating which goes first; server CPU per request is measured around each load.
 */
import type { ChildHandle } from '../../runner/child.ts';
import { autocannon, findWrk, type LoadResult, wrk } from './load-tools.ts';
import { type ServerProc, startServerProc, stopAll } from './procs.ts';
import { alternate, comparison, ratios, sideOf } from './stats.ts';
import type { Comparison, Target } from './types.ts';

export interface PollingSettings {
  repetitions: number;
  connections: number;
  durationMs: number;
  targets: Record<string, Target>;
}

/** Every poll asks after seq 0 of a source that never publishes: the empty answer. */
const POLL_PATH = '/poll?since=0&client=perf';

type Tool = (url: string, connections: number, durationMs: number) => Promise<LoadResult>;

/** Run comparison 3. */
export async function comparePolling(s: PollingSettings): Promise<Comparison> {
  const startedAtMs = performance.now();
  const procs: ChildHandle[] = [];
  try {
    const bare = await startServerProc('bare fastify', { kind: 'bare-fastify', ratePerS: 0, sizeBytes: 0 });
    procs.push(bare.handle);
    const ours = await startServerProc('pushbench short-poll', {
      kind: 'pushbench',
      protocols: ['short-poll'],
      ratePerS: 0,
      sizeBytes: 0,
    });
    procs.push(ours.handle);
    const ac = await series(s, autocannon, bare, ours);
    const subject = sideOf('pushbench GET /poll', ac.ours);
    const baseline = sideOf('bare fastify route', ac.bare);
    const extra: Record<string, unknown> = {};
    const notes: string[] = [];
    if (await findWrk()) {
      const w = await series(s, wrk, bare, ours);
      const wrkOurs = sideOf('pushbench GET /poll (wrk)', w.ours);
      const wrkBare = sideOf('bare fastify route (wrk)', w.bare);
      extra.wrk = {
        subject: wrkOurs,
        baseline: wrkBare,
        ratio: ratios(wrkOurs, wrkBare, { rate: 'ratePerS' }),
        autocannonCeiling: ratios(baseline, wrkBare, { rate: 'ratePerS' }).rate,
      };
    } else {
      extra.wrk = { skipped: 'wrk is not installed (apt-get install wrk)' };
      notes.push('wrk not installed: autocannon-only rates; its ceiling is not shown');
    }
    return comparison({
      id: 'poll-endpoint',
      title: 'Polling endpoint: maximum rate of pushbench GET /poll vs a bare fastify route (autocannon)',
      subject,
      baseline,
      ratioOf: { rate: 'ratePerS', cpuPerRequest: 'cpuUsPerRequest' },
      targets: s.targets,
      settings: { ...s, targets: undefined, path: POLL_PATH },
      extra,
      notes,
      startedAtMs,
    });
  } finally {
    await stopAll(procs);
  }
}

async function series(s: PollingSettings, tool: Tool, bare: ServerProc, ours: ServerProc) {
  const out = { bare: [] as Array<Record<string, number>>, ours: [] as Array<Record<string, number>> };
  for (let rep = 0; rep < s.repetitions; rep++) {
    for (const side of alternate(rep, 'bare' as const, 'ours' as const)) {
      const server = side === 'bare' ? bare : ours;
      out[side].push(await load(s, tool, server));
    }
  }
  return out;
}

async function load(s: PollingSettings, tool: Tool, server: ServerProc): Promise<Record<string, number>> {
  const cpu0 = await server.cpu();
  const r = await tool(`${server.url}${POLL_PATH}`, s.connections, s.durationMs);
  const cpu1 = await server.cpu();
  return {
    ratePerS: r.ratePerS,
    latencyP50Ms: r.latencyP50Ms,
    latencyP99Ms: r.latencyP99Ms,
    failures: r.failures,
    cpuUsPerRequest: r.requests ? ((cpu1.cpuMs - cpu0.cpuMs) * 1000) / r.requests : Number.NaN,
  };
}
