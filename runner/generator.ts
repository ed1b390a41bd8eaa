/**
 * Generator child process: hosts one Fleet of simulated clients for the runner.
 * Run as `node --import tsx runner/generator.ts` with an IPC channel; it speaks the children's
 * one convention (core/child-ipc.ts: requests answered by `{type:'reply', id, result | error}`).
 *
 * Requests: 'init' {config: GeneratorInit} → {} once the clients are built (a bad config: an
 * error reply with every problem, then exit 1) · 'snapshot' → WorkerReport · 'behind'
 * {finalSeq, targets?} → ids · 'stop' → the final WorkerReport after every client closed its
 * sockets (undefined without init), then exit 0.
 * Messages: parent → {type:'start'}; child → {type:'alive'} once loaded, {type:'progress',
 * connected, delivered, p99Ms, atMs} every second after start.
 *
 * Exits when the IPC channel disconnects (the parent died) and on SIGTERM, closing every
 * socket first. SIGINT is left to the runner, which answers it with 'stop'. A throw inside a
 * client is caught and counted, never fatal.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fleet, type GeneratorConfig, type Progress } from '../clients/fleet.ts';
import type { WorkerReport } from '../clients/report-types.ts';
import { type ChildMain, childMain } from '../core/child-ipc.ts';
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

/** What the runner sends (requests carry the id ChildHandle.request adds). */
export type GeneratorRequest =
  | { type: 'init'; config: GeneratorInit }
  | { type: 'start' }
  | { type: 'snapshot' }
  /** Result: ids of the clients below their target seq (`targets[id]`, else `finalSeq`). */
  | { type: 'behind'; finalSeq: number; targets?: Record<string, number> }
  | { type: 'stop' };

/** One-way messages the generator sends. */
export type GeneratorMessage = { type: 'alive' } | ({ type: 'progress' } & Progress);

const PROGRESS_EVERY_MS = 1_000;

let fleet: Fleet | undefined;
let network: NetworkPlan | null = null;
let progressTimer: NodeJS.Timeout | undefined;
let stopping: Promise<WorkerReport | undefined> | undefined;
let child: ChildMain | undefined;

function send(msg: GeneratorMessage): void {
  child?.send(msg);
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

function initialised(request: string): Fleet {
  if (!fleet) throw new PushbenchError('PB_BAD_OPTION', `${request}: send init first`);
  return fleet;
}

function countCrash(kind: string, err: unknown): void {
  fleet?.recorder.countError(kind);
  console.error(`generator: ${kind}:`, err instanceof Error ? (err.stack ?? err.message) : err);
}

function main(): void {
  child = childMain<GeneratorRequest>({
    name: 'runner/generator.ts',
    requireIpc: true,
    serial: true,
    requests: {
      init: async (req, ctx) => {
        try {
          await init(req.config);
          return {};
        } catch (err) {
          ctx.exitAfterReply(1);
          throw err;
        }
      },
      snapshot: () => initialised('snapshot').recorder.snapshot(),
      behind: (req) => {
        const { targets, finalSeq } = req;
        return initialised('behind').behind((id) => targets?.[id] ?? finalSeq);
      },
      stop: async (_req, ctx) => {
        const report = await shutdown();
        ctx.exitAfterReply(0);
        return report;
      },
    },
    messages: { start },
    shutdown: async () => {
      await shutdown();
    },
    onUncaught: countCrash,
  });
  // Loaded and listening: the runner fixes the timeline only once every generator is up.
  send({ type: 'alive' });
}

// Importing this module (e.g. for its types) must not turn the importer into a generator.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
