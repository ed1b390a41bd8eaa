/**
 * Generator child process: hosts one Fleet of simulated clients for the runner.
 * Run as `node --import tsx runner/generator.ts` with an IPC channel.
 *
 * parent → child: {type:'init', config: GeneratorInit} · {type:'start'} · {type:'snapshot'} · {type:'stop'}
 * child → parent: {type:'ready'} · {type:'progress', connected, delivered, p99Ms, atMs} (every second
 * after start) · {type:'snapshot', report} · {type:'final', report} (after stop; then exit 0) ·
 * {type:'error', code, message, problems} (bad init, or a request out of order; exit 1 after a bad init).
 *
 * Exits when the IPC channel disconnects (the parent died) and on SIGTERM, closing every
 * socket first. SIGINT (a terminal's Ctrl-C reaches the whole group) is left to the runner,
 * which answers it with 'stop'. A throw inside a client is caught and counted, never fatal.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fleet, type GeneratorConfig, type Progress } from '../clients/fleet.ts';
import type { WorkerReport } from '../clients/report-types.ts';
import { PushbenchError } from '../core/errors.ts';
import { type GeneratorFault, type NetworkConditions, type NetworkPlan, setupNetwork } from './faults.ts';

export type { GeneratorConfig, Progress } from '../clients/fleet.ts';
export type { MergedReport, WorkerReport } from '../clients/report-types.ts';

/** What the runner sends with 'init': the fleet's config plus the generator's own fault proxy settings. */
export interface GeneratorInit extends GeneratorConfig {
  /** The scenario's network conditions, applied by this generator's fault proxy (network/). */
  network?: NetworkConditions | null;
  /** The fault windows of this generator's clients (absolute epoch ms). */
  faults?: GeneratorFault[];
}

export type GeneratorRequest =
  | { type: 'init'; config: GeneratorInit }
  | { type: 'start' }
  | { type: 'snapshot' }
  /** Reply `{type:'reply', id, result: ids}`: clients below their target seq (`targets[id]`, else `finalSeq`). */
  | { type: 'behind'; id: number; finalSeq: number; targets?: Record<string, number> }
  | { type: 'stop' };

export type GeneratorMessage =
  | { type: 'alive' }
  | { type: 'ready' }
  | ({ type: 'progress' } & Progress)
  | { type: 'snapshot'; report: WorkerReport }
  | { type: 'final'; report: WorkerReport }
  | { type: 'error'; code: string; message: string; problems?: string[] };

const PROGRESS_EVERY_MS = 1_000;

let fleet: Fleet | undefined;
let network: NetworkPlan | null = null;
let progressTimer: NodeJS.Timeout | undefined;
let stopping: Promise<WorkerReport | undefined> | undefined;

function send(msg: GeneratorMessage, then?: () => void): void {
  if (process.connected && process.send) process.send(msg, undefined, {}, () => then?.());
  else then?.();
}

function sendError(err: unknown, then?: () => void): void {
  const e = err instanceof PushbenchError ? err : new PushbenchError('PB_BAD_OPTION', String(err));
  send({ type: 'error', code: e.code, message: e.message, problems: e.problems }, then);
}

/** Each client's base URL: its lane on the fault proxy when the scenario has conditions or faults. */
async function clientUrls(config: GeneratorInit): Promise<(id: string, index: number) => string> {
  network = await setupNetwork({
    targetUrl: config.targetUrl,
    clientIds: config.clientIds,
    network: config.network,
    faults: config.faults,
    allowRemote: config.allowRemote,
  });
  const plan = network;
  return plan ? (id) => plan.urlFor(id) : () => config.targetUrl;
}

async function init(config: GeneratorInit): Promise<void> {
  if (fleet) throw new PushbenchError('PB_BAD_OPTION', 'init: already initialised');
  fleet = new Fleet(config, await clientUrls(config));
  send({ type: 'ready' });
}

function start(): void {
  if (!fleet) throw new PushbenchError('PB_BAD_OPTION', 'start: send init first');
  fleet.start();
  progressTimer ??= setInterval(() => {
    if (fleet) send({ type: 'progress', ...fleet.progress() });
  }, PROGRESS_EVERY_MS);
}

/** Stop everything once; the report is undefined when init never happened. */
function shutdown(): Promise<WorkerReport | undefined> {
  stopping ??= (async () => {
    clearInterval(progressTimer);
    const report = fleet ? await fleet.stop() : undefined;
    if (report && network) report.faultsApplied = network.applied.map((a) => ({ ...a }));
    await network?.close();
    return report;
  })();
  return stopping;
}

async function onRequest(msg: GeneratorRequest): Promise<void> {
  switch (msg?.type) {
    case 'init':
      try {
        await init(msg.config);
      } catch (err) {
        sendError(err, () => process.exit(1));
      }
      return;
    case 'start':
      return start();
    case 'snapshot':
      if (!fleet) throw new PushbenchError('PB_BAD_OPTION', 'snapshot: send init first');
      return send({ type: 'snapshot', report: fleet.recorder.snapshot() });
    case 'behind': {
      if (!fleet) throw new PushbenchError('PB_BAD_OPTION', 'behind: send init first');
      const { targets, finalSeq } = msg;
      const result = fleet.behind((id) => targets?.[id] ?? finalSeq);
      process.send?.({ type: 'reply', id: msg.id, result });
      return;
    }
    case 'stop': {
      const report = await shutdown();
      if (report) send({ type: 'final', report }, () => process.exit(0));
      else process.exit(0);
      return;
    }
    default:
      throw new PushbenchError(
        'PB_BAD_OPTION',
        `unknown request ${JSON.stringify((msg as { type?: unknown })?.type)}`,
      );
  }
}

function countCrash(kind: string, err: unknown): void {
  fleet?.recorder.countError(kind);
  console.error(`generator: ${kind}:`, err instanceof Error ? (err.stack ?? err.message) : err);
}

async function exitAfterShutdown(code: number): Promise<void> {
  await shutdown().catch(() => undefined);
  process.exit(code);
}

function main(): void {
  if (!process.send) {
    console.error('runner/generator.ts is a child process: spawn it with an IPC channel');
    process.exit(2);
  }
  // One request at a time, in order: a 'start' right behind 'init' waits for init to finish.
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (msg: GeneratorRequest) => {
    queue = queue.then(() => onRequest(msg)).catch((err) => sendError(err));
  });
  process.on('disconnect', () => void exitAfterShutdown(0));
  process.on('SIGTERM', () => void exitAfterShutdown(0));
  process.on('SIGINT', () => {});
  process.on('uncaughtException', (err) => countCrash('uncaught', err));
  // Loaded and listening: the runner fixes the timeline only once every generator is up.
  send({ type: 'alive' });
  process.on('unhandledRejection', (err) => countCrash('unhandled-rejection', err));
}

// Importing this module (e.g. for its types) must not turn the importer into a generator.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
