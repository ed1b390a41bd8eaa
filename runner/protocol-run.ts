/**
 * One protocol run: a server child process, generator child processes hosting the
 * clients, the timeline (ramp-up → warm-up → measured duration with faults → drain),
 * then the figures gathered into a RunResult. Every child is stopped on every path.
 * Its steps are exported for runs of another shape (the soak: every protocol against one
 * server, docs/reliability.md).
 */

import { mergeWorkerReports } from '../clients/merge.ts';
import type { MergedReport, WorkerReport } from '../clients/report-types.ts';
import { BROWSER_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import { assertLoopbackTarget } from '../core/loopback.ts';
import type { ProtocolName, RunResult, SourceFigures } from '../core/types.ts';
import { selectClients } from '../network/select.ts';
import { slowestPathMs } from '../scenarios/checks.ts';
import { clientsFor, type Scenario } from '../scenarios/schema.ts';
import type { ZombieEvent } from '../servers/context.ts';
import type { ServerStats } from '../servers/stats.ts';
import { type AppliedFaultWindow, aggregateRun } from './aggregate.ts';
import {
  BrowserHost,
  browserHostConfig,
  browserRunResult,
  pageIds,
  shareServerCost,
  windowsFor,
} from './browser-run.ts';
import { ChildHandle, ChildRequestError } from './child.ts';
import type { GeneratorInit, GeneratorRequest } from './generator.ts';
import { type CpuReading, readCpu } from './proc-cpu.ts';
import { createProgress } from './progress.ts';
import { spawnServerChild } from './server-child.ts';
import { type ServerSample, sampleOf } from './server-figures.ts';
import {
  scenarioClientSettings,
  scenarioFaults,
  scenarioServerOptions,
  targetClientSettings,
} from './settings.ts';
import { TargetServer } from './target-server.ts';
import { variantInfo } from './variant-info.ts';
import { planWorkers } from './workers.ts';

const GENERATOR_ENTRY = new URL('./generator.ts', import.meta.url);
const SAMPLE_EVERY_MS = 1_000;

export interface ProtocolRunOptions {
  scenario: Scenario;
  protocol: ProtocolName;
  quiet: boolean;
  allowRemote: boolean;
  /** Aborts the run early (Ctrl-C): figures measured so far are kept. */
  signal?: AbortSignal;
}

/** Run one protocol and return its (Node clients') RunResult. Children are always stopped. */
export async function runProtocol(opts: ProtocolRunOptions): Promise<RunResult> {
  return (await runProtocolAll(opts))[0];
}

/**
 * Run one protocol: its RunResult, plus one with engine "browser" when the scenario has
 * browser pages (scenario.browsers; see browser-run.ts). Children are always stopped.
 */
export async function runProtocolAll(opts: ProtocolRunOptions): Promise<RunResult[]> {
  const { scenario, protocol } = opts;
  const clients = clientsFor(scenario, protocol);
  const ids = Array.from({ length: clients }, (_, i) => `c${i + 1}`);
  const pages = pageIds(scenario.browsers);
  const server: ServerSide = scenario.target
    ? targetSide(new TargetServer(scenario))
    : childSide(spawnServerChild(`server (${protocol})`, scenarioServerOptions(scenario, protocol)));
  // Chromium starts while the server does: it is the slowest child to get ready.
  const browser = pages.length > 0 ? new BrowserHost(protocol) : undefined;
  const plan = planWorkers(ids, scenario);
  // Generator processes load while the server starts; the timeline is fixed once all are up.
  const generators = plan.map((_, i) => spawnGenerator(i, protocol));
  try {
    if (scenario.target) assertLoopbackTarget(scenario.target.url, opts.allowRemote);
    const url = await server.url();
    assertLoopbackTarget(url, opts.allowRemote);
    if (scenario.source.mode === 'addressed')
      await server.child!.request('set-addressed', { ids: [...ids, ...pages] });
    const baseline = await server.sample();
    await Promise.all(generators.map((g) => g.waitFor('alive', 30_000)));
    await browser?.waitLaunched();
    // Pages load through their proxies once the fault windows are known: give them time before t0.
    const t0 = Date.now() + 500 + (browser ? BROWSER_DEFAULTS.pageStartAllowanceMs : 0);
    const measureStartMs = t0 + scenario.rampUpMs + scenario.warmUpMs;
    const endMs = measureStartMs + scenario.durationMs;
    // A fault's share counts browser pages too (docs/scenarios.md).
    const faults = faultWindows(scenario, [...ids, ...pages], measureStartMs);
    // The pages load while the generators start.
    const pagesReady = browser?.init(
      browserHostConfig(scenario, protocol, pages, url, opts.allowRemote, measureStartMs, faults),
    );
    pagesReady?.catch(() => undefined);
    await Promise.all(
      plan.map((workerIds, i) =>
        initGenerator(generators[i], {
          workerIndex: i,
          protocol,
          clientIds: workerIds,
          targetUrl: url,
          scenario,
          allowRemote: opts.allowRemote,
          warmUpEndsAtMs: measureStartMs,
          windows: faults,
        }),
      ),
    );
    const hosts = browser ? [browser.child] : [];
    if (browser) await Promise.race([pagesReady, browser.fatal]);
    const crashed = watchCrashes(
      [...(server.child ? [server.child] : []), ...generators, ...hosts],
      browser?.fatal,
    );
    const samples: ServerSample[] = baseline ? [baseline] : [];
    const everyone = [...generators, ...hosts];
    const total = clients + pages.length;
    // The load side's CPU, read from outside: the generators, and the browser host with Chromium.
    const generatorCpu: CpuReading[] = [];
    const pageCpu: CpuReading[] = [];
    const generatorPids = generators.flatMap((g) => (g.proc.pid === undefined ? [] : [g.proc.pid]));
    const hostPid = browser?.child.proc.pid;
    const sampleCpu = () => {
      const g = readCpu(generatorPids);
      if (g) generatorCpu.push(g);
      const b = hostPid === undefined ? null : readCpu([hostPid], true);
      if (b) pageCpu.push(b);
    };
    await timeline({
      server,
      generators: everyone,
      sampleCpu,
      samples,
      t0,
      endMs,
      clients: total,
      protocol,
      opts,
      crashed,
    });
    const stopped = await server.stopSource(generators);
    const finalSeq = stopped.lastSeq;
    const drainStartMs = Date.now();
    const behindAtEnd = await drain(server.child, generators, ids, finalSeq, scenario, protocol, opts.signal);
    // Browser pages are not asked who is behind: they keep the full `drain` they always had.
    if (browser) await sleep(drainStartMs + scenario.drainMs - Date.now(), opts.signal);
    const [reports, browserFinal] = await Promise.all([stopGenerators(generators), browser?.stop()]);
    const last = await server.sample();
    if (last) samples.push(last);
    const merged = mergeWorkerReports(reports);
    const expectedByClient = await expectedCounts(server, merged, finalSeq);
    const common = {
      protocol,
      durationMs: scenario.durationMs,
      measureStartMs,
      samples: samples.filter((s) => s.atMs >= t0 || s === baseline),
      baselineRssMB: baseline?.rssMB ?? 0,
      // Every dead connection the server freed (GET /stats keeps only the latest ones).
      zombieEvents: (await server.zombies()).map((z) => ({
        client: z.client,
        atMs: z.atMs,
        lastSeenMs: z.lastSeenMs,
      })),
      saturationMs: scenario.saturation.eventLoopP99Ms,
      ...(stopped.pacer ? { source: stopped.pacer } : {}),
    };
    const runs = [
      aggregateRun({
        ...common,
        clients,
        merged,
        expectedByClient,
        faults: appliedPerClient(windowsFor(faults, ids), reports),
        behindAtEnd,
        generatorCpu,
      }),
    ];
    if (protocol === 'websocket') runs[0].heartbeatForm = scenario.heartbeat.form;
    if (server.target) Object.assign(runs[0], targetRunInfo(server.target, protocol, runs[0]));
    Object.assign(runs[0], variantInfo(scenario, protocol, merged.reconnects));
    if (browserFinal) {
      const pageExpected = await expectedCounts(server, mergeWorkerReports([browserFinal.report]), finalSeq);
      const browserRun = browserRunResult(scenario, browserFinal, {
        ...common,
        expectedByClient: pageExpected,
        faults: windowsFor(faults, pages),
        generatorCpu: pageCpu,
      });
      shareServerCost(runs[0], browserRun);
      runs.push(browserRun);
    }
    return runs;
  } finally {
    await Promise.all([...generators.map((g) => g.stop(3_000)), server.stop(), browser?.kill()]);
  }
}

/**
 * What a run needs from its server: pushbench's own server child, or a target nothing was
 * started for (runner/target-server.ts; docs/targets.md).
 */
export interface ServerSide {
  child?: ChildHandle;
  target?: TargetServer;
  url(): Promise<string>;
  /** CPU / RSS now; undefined when the server is not measured. */
  sample(): Promise<ServerSample | undefined>;
  startSource(): Promise<void>;
  /** Stop the source: the last seq published (a target's own stream: the highest seq any client holds) and how the pacer kept its schedule. */
  stopSource(generators: ChildHandle[]): Promise<{ lastSeq: number; pacer?: SourceFigures }>;
  expected(queries: Array<{ client: string; afterSeq: number; upToSeq: number }>): Promise<number[]>;
  zombies(): Promise<ZombieEvent[]>;
  stop(): Promise<void>;
}

export function childSide(child: ChildHandle): ServerSide {
  return {
    child,
    url: async () => (await child.waitFor<{ type: string; url: string }>('listening', 20_000)).url,
    sample: async () => sampleOf(await child.request<ServerStats>('stats')),
    startSource: async () => void (await child.request('source-start')),
    stopSource: () => child.request<{ lastSeq: number; pacer: SourceFigures }>('source-stop'),
    expected: (queries) => child.request<number[]>('count', { queries }, 30_000),
    zombies: () => child.request<ZombieEvent[]>('zombies', {}, 30_000),
    stop: () => child.stop(3_000),
  };
}

function targetSide(target: TargetServer): ServerSide {
  return {
    target,
    url: async () => {
      await target.check();
      return target.target.url;
    },
    sample: async () => target.sample(),
    startSource: async () => target.start(),
    stopSource: async (generators) => {
      if (target.mode === 'publish') return target.stop();
      // The target's own stream: the highest seq any client received is the end.
      const reports = await Promise.all(
        generators.map((g) => g.request<WorkerReport>('snapshot', {}, 30_000)),
      );
      return { lastSeq: Math.max(0, ...reports.flatMap((r) => r.clients.map((c) => c.lastSeq))) };
    },
    expected: async (queries) => queries.map((q) => target.expected(q.afterSeq, q.upToSeq)),
    zombies: async () => [],
    stop: async () => void (await target.stop()),
  };
}

/** results.json `target`, its notes, and server figures that were not measured set to null. */
function targetRunInfo(target: TargetServer, protocol: ProtocolName, run: RunResult): Partial<RunResult> {
  const t = target.target;
  const notes = [...(run.notes ?? [])];
  if (target.mode === 'observe')
    notes.push(
      "observed the target's own stream: seq and t read from each message, loss counted from seq gaps",
    );
  const failures = target.publishFailures;
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  if (failed > 0)
    notes.push(
      `${failed} publish POST(s) failed (${Object.entries(failures)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ')}): those seqs are not expected`,
    );
  const unparsed = run.errors?.unparsed ?? 0;
  const sample = run.errorSamples?.unparsed;
  if (unparsed > 0) notes.push(`${unparsed} message(s) the JSON pointers could not read, e.g. ${sample}`);
  const measured = t.pid !== undefined && run.server.rssMB !== null && (run.server.rssMB ?? 0) > 0;
  if (!measured) notes.push('server CPU / RSS not measured (no target pid)');
  return {
    target: {
      profile: t.profile,
      url: t.url,
      mode: target.mode,
      ...(measured ? { pid: t.pid } : {}),
      resume: t.resume[protocol] ?? 'none',
    },
    delivery: { ...run.delivery, unparsed },
    // pushbench cannot see which dead connections a target freed.
    reconnects: { ...run.reconnects, zombieMs: null, zombiesFreed: null, zombiesNeverFreed: null },
    server: measured
      ? {
          cpuPct: run.server.cpuPct,
          rssMB: run.server.rssMB,
          eventLoopP99Ms: null,
          cpuMsPerDeliveredMessage: run.server.cpuMsPerDeliveredMessage,
        }
      : { cpuPct: null, rssMB: null, eventLoopP99Ms: null },
    notes,
  };
}

/** Fault windows with their deterministic client selection (same seed → same clients). */
export function faultWindows(s: Scenario, ids: string[], measureStartMs: number): AppliedFaultWindow[] {
  return s.faults.map((f, i) => ({
    kind: f.kind,
    startMs: measureStartMs + f.atMs,
    endMs: measureStartMs + f.atMs + f.forMs,
    clientIds: new Set(selectClients(ids, f.clients, s.seed + i)),
    ...(f.kind === 'flap' ? { flap: { upMs: Number(f.params.upMs), downMs: Number(f.params.downMs) } } : {}),
  }));
}

export function spawnGenerator(workerIndex: number, protocol: ProtocolName): GeneratorChild {
  return new ChildHandle<GeneratorRequest>(`generator ${workerIndex + 1} (${protocol})`, GENERATOR_ENTRY);
}

/** A generator process: the runner sends it GeneratorRequests (runner/generator.ts). */
export type GeneratorChild = ChildHandle<GeneratorRequest>;

/** What initGenerator needs to build a generator's init. */
export interface GeneratorPlan {
  workerIndex: number;
  protocol: ProtocolName;
  clientIds: string[];
  targetUrl: string;
  scenario: Scenario;
  allowRemote?: boolean;
  /** Epoch ms: the end of the warm-up (latencies before it are not recorded). */
  warmUpEndsAtMs: number;
  /** The run's fault windows (this generator's clients are picked out of them). */
  windows: AppliedFaultWindow[];
}

/** Send the generator its clients and timeline; resolves when it is ready to start. */
export async function initGenerator(gen: GeneratorChild, p: GeneratorPlan): Promise<void> {
  const s = p.scenario;
  const config: GeneratorInit = {
    workerIndex: p.workerIndex,
    protocol: p.protocol,
    clientIds: p.clientIds,
    targetUrl: p.targetUrl,
    allowRemote: p.allowRemote,
    rampUpMs: s.rampUpMs,
    warmUpEndsAtMs: p.warmUpEndsAtMs,
    measureEndsAtMs: p.warmUpEndsAtMs + s.durationMs,
    ...scenarioClientSettings(s),
    ...targetClientSettings(s, p.protocol),
    headers: s.headers,
    network: s.network,
    faults: scenarioFaults(s, p.windows, p.clientIds),
  };
  try {
    await gen.request('init', { config }, 30_000);
  } catch (err) {
    if (err instanceof ChildRequestError)
      throw new PushbenchError('PB_BAD_OPTION', err.message, err.problems);
    throw err;
  }
}

/** Rejects as soon as any child crashes (or `also` rejects: a browser page failed). */
export function watchCrashes(children: ChildHandle[], also?: Promise<never>): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    for (const c of children) c.once('crash', (err: Error) => reject(err));
    also?.catch(reject);
  });
  p.catch(() => undefined);
  return p;
}

interface TimelineArgs {
  server: ServerSide;
  generators: ChildHandle[];
  /** Reads the load side's CPU (every sample, before the server's). */
  sampleCpu: () => void;
  samples: ServerSample[];
  t0: number;
  endMs: number;
  clients: number;
  protocol: ProtocolName;
  opts: ProtocolRunOptions;
  crashed: Promise<never>;
}

/** Start the source and the clients at t0, sample every second, show progress, until endMs. */
async function timeline(a: TimelineArgs): Promise<void> {
  const { scenario } = a.opts;
  const progress = createProgress(a.protocol, a.endMs - a.t0, a.opts.quiet);
  const latest = new Map<ChildHandle, { connected: number; delivered: number; p99Ms: number }>();
  for (const g of a.generators) g.on('msg:progress', (m) => latest.set(g, m));
  await Promise.race([sleep(Math.max(0, a.t0 - Date.now()), a.opts.signal), a.crashed]);
  await a.server.startSource();
  for (const g of a.generators) g.send({ type: 'start' });
  const measureStart = a.t0 + scenario.rampUpMs + scenario.warmUpMs;
  try {
    while (Date.now() < a.endMs && !a.opts.signal?.aborted) {
      await Promise.race([sleep(Math.min(SAMPLE_EVERY_MS, a.endMs - Date.now()), a.opts.signal), a.crashed]);
      a.sampleCpu();
      const sample = await Promise.race([a.server.sample(), a.crashed]);
      if (sample) a.samples.push(sample);
      const now = Date.now();
      const p = [...latest.values()];
      progress.update(now - a.t0, {
        phase: now < a.t0 + scenario.rampUpMs ? 'ramp-up' : now < measureStart ? 'warm-up' : 'measure',
        clients: a.clients,
        connected: p.reduce((x, y) => x + y.connected, 0),
        delivered: p.reduce((x, y) => x + y.delivered, 0),
        p99Ms: Math.max(0, ...p.map((x) => x.p99Ms)),
      });
    }
  } finally {
    progress.stop();
  }
}

export async function stopGenerators(generators: GeneratorChild[]): Promise<WorkerReport[]> {
  return Promise.all(
    generators.map(async (g) => {
      g.expectExit();
      return g.request<WorkerReport>('stop', {}, 30_000);
    }),
  );
}

/** Expected messages per client: its window is (subscribedAfterSeq, finalSeq]. */
export async function expectedCounts(
  server: ServerSide,
  merged: MergedReport,
  finalSeq: number,
): Promise<number[]> {
  const queries = merged.clients.map((c) => ({
    client: c.id,
    // A client that never subscribed expected everything from the start: its loss shows.
    afterSeq: c.subscribedAfterSeq ?? 0,
    upToSeq: finalSeq,
  }));
  return server.expected(queries);
}

/** How often the drain asks the generators who is still behind (ms). */
const DRAIN_CHECK_EVERY_MS = 100;

/**
 * The drain's upper limit: the scenario's `drain`, raised to the slowest way the last message
 * can still reach a client of this protocol (a poll interval + its timeout, a held long poll,
 * a dead connection's detection) plus the backoff ceiling. docs/scenarios.md "drain".
 */
export function drainLimitMs(s: Scenario, protocol: ProtocolName): number {
  return Math.max(s.drainMs, slowestPathMs(s, protocol));
}

/**
 * After the source stopped: wait until every client holds the last message meant for it
 * (broadcast: finalSeq; addressed: its own last one), at most drainLimitMs. Returns the ids
 * still behind at the limit (sorted); they are named in results as delivery.behindAtEnd.
 */
export async function drain(
  server: ChildHandle | undefined,
  generators: ChildHandle[],
  ids: string[],
  finalSeq: number,
  s: Scenario,
  protocol: ProtocolName,
  signal?: AbortSignal,
): Promise<string[]> {
  const deadline = Date.now() + drainLimitMs(s, protocol);
  let targets: Record<string, number> | undefined;
  if (s.source.mode === 'addressed' && server) {
    const last = await server.request<number[]>('last-for', { clients: ids, upToSeq: finalSeq }, 30_000);
    targets = Object.fromEntries(ids.map((id, i) => [id, last[i]]));
  }
  for (;;) {
    const behind = (
      await Promise.all(generators.map((g) => g.request<string[]>('behind', { finalSeq, targets }, 30_000)))
    ).flat();
    if (behind.length === 0 || Date.now() >= deadline || signal?.aborted) return behind.sort();
    await sleep(Math.min(DRAIN_CHECK_EVERY_MS, deadline - Date.now()), signal);
  }
}

/** Each fault window with the times the client's own generator really applied / removed it. */
export function appliedPerClient(
  windows: AppliedFaultWindow[],
  reports: WorkerReport[],
): AppliedFaultWindow[] {
  return windows.map((w, i) => {
    const applied = new Map<string, { appliedAtMs: number; removedAtMs?: number }>();
    for (const r of reports) {
      const a = r.faultsApplied?.find((x) => x.fault === i);
      if (!a) continue;
      for (const c of r.clients) if (w.clientIds.has(c.id)) applied.set(c.id, a);
    }
    return { ...w, applied };
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
