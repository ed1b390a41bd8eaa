/**
 * One protocol run: a server child process, generator child processes hosting the
 * clients, the timeline (ramp-up → warm-up → measured duration with faults → drain),
 * then the figures gathered into a RunResult. Every child is stopped on every path.
 */

import { mergeWorkerReports } from '../clients/merge.ts';
import type { MergedReport, WorkerReport } from '../clients/report-types.ts';
import { BROWSER_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import { assertLoopbackTarget } from '../core/loopback.ts';
import type { ProtocolName, RunResult } from '../core/types.ts';
import { selectClients } from '../network/select.ts';
import { slowestPathMs } from '../scenarios/checks.ts';
import { clientsFor, type Scenario } from '../scenarios/schema.ts';
import type { ZombieEvent } from '../servers/context.ts';
import type { ServerStats } from '../servers/stats.ts';
import { type AppliedFaultWindow, aggregateRun, type ServerSample } from './aggregate.ts';
import {
  BrowserHost,
  browserHostConfig,
  browserRunResult,
  pageIds,
  shareServerCost,
  windowsFor,
} from './browser-run.ts';
import { ChildHandle } from './child.ts';
import type { GeneratorConfig } from './generator.ts';
import { createProgress } from './progress.ts';
import { spawnServerChild } from './server-child.ts';
import { scenarioClientSettings, scenarioFaults, scenarioServerOptions } from './settings.ts';
import { variantInfo } from './variant-info.ts';
import { planWorkers } from './workers.ts';

const GENERATOR_ENTRY = new URL('./generator.ts', import.meta.url);
const SAMPLE_EVERY_MS = 1_000;

export interface ProtocolRunOptions {
  scenario: Scenario;
  protocol: ProtocolName;
  quiet: boolean;
  allowRemote: boolean;
  saturationMs: number;
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
  const server = spawnServerChild(`server (${protocol})`, scenarioServerOptions(scenario, protocol));
  // Chromium starts while the server does: it is the slowest child to get ready.
  const browser = pages.length > 0 ? new BrowserHost(protocol) : undefined;
  const plan = planWorkers(ids, scenario);
  // Generator processes load while the server starts; the timeline is fixed once all are up.
  const generators = plan.map((_, i) => spawnGenerator(i, protocol));
  try {
    const { url } = await server.waitFor<{ type: string; url: string }>('listening', 20_000);
    assertLoopbackTarget(url, opts.allowRemote);
    if (scenario.source.mode === 'addressed')
      await server.request('set-addressed', { ids: [...ids, ...pages] });
    const baseline = sampleOf(await server.request<ServerStats>('stats'));
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
        initGenerator(generators[i], i, protocol, workerIds, url, scenario, opts, measureStartMs, faults),
      ),
    );
    const hosts = browser ? [browser.child] : [];
    if (browser) await Promise.race([pagesReady, browser.fatal]);
    const crashed = watchCrashes([server, ...generators, ...hosts], browser?.fatal);
    const samples: ServerSample[] = [baseline];
    const everyone = [...generators, ...hosts];
    const total = clients + pages.length;
    await timeline({
      server,
      generators: everyone,
      samples,
      t0,
      endMs,
      clients: total,
      protocol,
      opts,
      crashed,
    });
    const finalSeq = (await server.request<{ lastSeq: number }>('source-stop')).lastSeq;
    const drainStartMs = Date.now();
    const behindAtEnd = await drain(server, generators, ids, finalSeq, scenario, protocol, opts.signal);
    // Browser pages are not asked who is behind: they keep the full `drain` they always had.
    if (browser) await sleep(drainStartMs + scenario.drainMs - Date.now(), opts.signal);
    const [reports, browserFinal] = await Promise.all([stopGenerators(generators), browser?.stop()]);
    const stats = await server.request<ServerStats>('stats');
    samples.push(sampleOf(stats));
    const merged = mergeWorkerReports(reports);
    const expectedByClient = await expectedCounts(server, merged, finalSeq);
    const common = {
      protocol,
      durationMs: scenario.durationMs,
      measureStartMs,
      samples: samples.filter((s) => s.atMs >= t0 || s === baseline),
      baselineRssMB: baseline.rssMB,
      // Every dead connection the server freed (GET /stats keeps only the latest ones).
      zombieEvents: (await server.request<ZombieEvent[]>('zombies', {}, 30_000)).map((z) => ({
        client: z.client,
        atMs: z.atMs,
        lastSeenMs: z.lastSeenMs,
      })),
      saturationMs: opts.saturationMs,
    };
    const runs = [
      aggregateRun({
        ...common,
        clients,
        merged,
        expectedByClient,
        faults: appliedPerClient(windowsFor(faults, ids), reports),
        behindAtEnd,
      }),
    ];
    if (protocol === 'websocket') runs[0].heartbeatForm = scenario.heartbeat.form;
    Object.assign(runs[0], variantInfo(scenario, protocol, merged.reconnects));
    if (browserFinal) {
      const pageExpected = await expectedCounts(server, mergeWorkerReports([browserFinal.report]), finalSeq);
      const browserRun = browserRunResult(scenario, browserFinal, {
        ...common,
        expectedByClient: pageExpected,
        faults: windowsFor(faults, pages),
      });
      shareServerCost(runs[0], browserRun);
      runs.push(browserRun);
    }
    return runs;
  } finally {
    await Promise.all([...generators.map((g) => g.stop(3_000)), server.stop(3_000), browser?.kill()]);
  }
}

function sampleOf(stats: ServerStats): ServerSample {
  const connections = Object.values(stats.protocols).reduce((a, p) => a + (p?.connections ?? 0), 0);
  return {
    atMs: Date.now(),
    cpuUserMs: stats.process.cpuUserMs,
    cpuSystemMs: stats.process.cpuSystemMs,
    rssMB: stats.process.rssMB,
    eventLoopP99Ms: stats.process.eventLoopP99Ms,
    connections,
  };
}

/** Fault windows with their deterministic client selection (same seed → same clients). */
function faultWindows(s: Scenario, ids: string[], measureStartMs: number): AppliedFaultWindow[] {
  return s.faults.map((f, i) => ({
    kind: f.kind,
    startMs: measureStartMs + f.atMs,
    endMs: measureStartMs + f.atMs + f.forMs,
    clientIds: new Set(selectClients(ids, f.clients, s.seed + i)),
    ...(f.kind === 'flap' ? { flap: { upMs: Number(f.params.upMs), downMs: Number(f.params.downMs) } } : {}),
  }));
}

function spawnGenerator(workerIndex: number, protocol: ProtocolName): ChildHandle {
  return new ChildHandle(`generator ${workerIndex + 1} (${protocol})`, GENERATOR_ENTRY);
}

/** Send the generator its clients and timeline; resolves when it is ready to start. */
async function initGenerator(
  gen: ChildHandle,
  workerIndex: number,
  protocol: ProtocolName,
  clientIds: string[],
  targetUrl: string,
  s: Scenario,
  opts: ProtocolRunOptions,
  warmUpEndsAtMs: number,
  windows: AppliedFaultWindow[],
): Promise<void> {
  const faults = scenarioFaults(s, windows, clientIds);
  const config: GeneratorConfig = {
    workerIndex,
    protocol,
    clientIds,
    targetUrl,
    allowRemote: opts.allowRemote,
    rampUpMs: s.rampUpMs,
    warmUpEndsAtMs,
    ...scenarioClientSettings(s),
    headers: s.headers,
    network: s.network,
    faults,
  };
  const failed = gen.waitFor<{ type: string; message: string }>('error', 60_000).then((m) => {
    throw new PushbenchError('PB_BAD_OPTION', `${gen.name}: ${m.message}`);
  });
  gen.send({ type: 'init', config: config as unknown as Record<string, unknown> } as never);
  await Promise.race([gen.waitFor('ready', 30_000), failed]);
  failed.catch(() => undefined);
}

/** Rejects as soon as any child crashes (or `also` rejects: a browser page failed). */
function watchCrashes(children: ChildHandle[], also?: Promise<never>): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    for (const c of children) c.once('crash', (err: Error) => reject(err));
    also?.catch(reject);
  });
  p.catch(() => undefined);
  return p;
}

interface TimelineArgs {
  server: ChildHandle;
  generators: ChildHandle[];
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
  await a.server.request('source-start');
  for (const g of a.generators) g.send({ type: 'start' });
  const measureStart = a.t0 + scenario.rampUpMs + scenario.warmUpMs;
  try {
    while (Date.now() < a.endMs && !a.opts.signal?.aborted) {
      await Promise.race([sleep(Math.min(SAMPLE_EVERY_MS, a.endMs - Date.now()), a.opts.signal), a.crashed]);
      a.samples.push(sampleOf(await Promise.race([a.server.request<ServerStats>('stats'), a.crashed])));
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

async function stopGenerators(generators: ChildHandle[]): Promise<WorkerReport[]> {
  return Promise.all(
    generators.map(async (g) => {
      g.expectExit();
      const final = g.waitFor<{ type: string; report: WorkerReport }>('final', 30_000);
      g.send({ type: 'stop' });
      return (await final).report;
    }),
  );
}

/** Expected messages per client: its window is (subscribedAfterSeq, finalSeq]. */
async function expectedCounts(
  server: ChildHandle,
  merged: MergedReport,
  finalSeq: number,
): Promise<number[]> {
  const queries = merged.clients.map((c) => ({
    client: c.id,
    // A client that never subscribed expected everything from the start: its loss shows.
    afterSeq: c.subscribedAfterSeq ?? 0,
    upToSeq: finalSeq,
  }));
  return server.request<number[]>('count', { queries }, 30_000);
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
async function drain(
  server: ChildHandle,
  generators: ChildHandle[],
  ids: string[],
  finalSeq: number,
  s: Scenario,
  protocol: ProtocolName,
  signal?: AbortSignal,
): Promise<string[]> {
  const deadline = Date.now() + drainLimitMs(s, protocol);
  let targets: Record<string, number> | undefined;
  if (s.source.mode === 'addressed') {
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
function appliedPerClient(windows: AppliedFaultWindow[], reports: WorkerReport[]): AppliedFaultWindow[] {
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
