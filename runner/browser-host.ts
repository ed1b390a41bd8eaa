/**
 * Browser host child process: one Chromium with K pages (clients/browser/host.ts
 * BrowserFleet) for one protocol run. Each page gets its own fault proxy
 * (setupNetwork({ always: true })), so the page's faults apply and its bytes are counted
 * per page. Run as `node --import tsx runner/browser-host.ts` with an IPC channel.
 *
 * Requests (the children's one convention, core/child-ipc.ts: `{type, id}` →
 * `{type:'reply', id, result | error}`):
 * 'launch' {chromiumPath?} → {userDataDir, version} · 'init' {config: BrowserHostConfig} →
 * {pages} · 'stop' → {report: WorkerReport, info: BrowserFleetInfo} (then exit 0).
 * Messages: parent → {type:'start'}; child → {type:'progress', …} every second after start,
 * {type:'fatal', detail} (a page crashed: Chromium is closed, exit 1).
 *
 * Chromium is ALWAYS closed: after 'stop', on SIGTERM / SIGHUP, when the IPC channel
 * disconnects (the runner died), on a fatal page error and on an uncaught exception.
 * SIGINT (a terminal's Ctrl-C reaches the whole group) is left to the runner.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChromiumSession, discardProfile, launchSession } from '../clients/browser/chromium.ts';
import { BrowserFleet, type BrowserFleetConfig, type PageTarget } from '../clients/browser/host.ts';
import { type ChildMain, childMain } from '../core/child-ipc.ts';
import { PushbenchError } from '../core/errors.ts';
import type { ProtocolName } from '../core/types.ts';
import { type GeneratorFault, type NetworkConditions, type NetworkPlan, setupNetwork } from './faults.ts';

export type { BrowserFleetInfo } from '../clients/browser/host.ts';

/** What the runner sends with 'init'. */
export interface BrowserHostConfig extends BrowserFleetConfig {
  protocol: ProtocolName;
  /** Page ids (b1…bK): the `client` each page announces to the server. */
  pageIds: string[];
  targetUrl: string;
  allowRemote?: boolean;
  network?: NetworkConditions | null;
  /** The runner's fault windows restricted to these pages (absolute epoch ms). */
  faults: GeneratorFault[];
}

/** What the runner sends (requests carry the id ChildHandle.request adds). */
export type BrowserHostRequest =
  | { type: 'launch'; chromiumPath?: string }
  | { type: 'init'; config: BrowserHostConfig }
  | { type: 'stop' }
  | { type: 'start' };

const PROGRESS_EVERY_MS = 1_000;

let session: ChromiumSession | undefined;
/** Known as soon as a launch starts: what to clean up when it is cut short. */
let profileDir: string | undefined;
let fleet: BrowserFleet | undefined;
const networks: NetworkPlan[] = [];
let progressTimer: NodeJS.Timeout | undefined;
let shuttingDown: Promise<void> | undefined;

let child: ChildMain | undefined;

function send(msg: { type: string; [key: string]: unknown }): void {
  child?.send(msg);
}

/** Close Chromium and the proxies, once; a launch still under way is cut short. */
function shutdown(): Promise<void> {
  shuttingDown ??= (async () => {
    clearInterval(progressTimer);
    await (fleet ?? session)?.close().catch((err) => console.error('browser host: close:', err));
    if (!session && profileDir) await discardProfile(profileDir);
    await Promise.all(networks.map((n) => n.close().catch(() => undefined)));
  })();
  return shuttingDown;
}

async function exitAfterShutdown(code: number): Promise<void> {
  if (child) await child.exitAfterShutdown(code);
  else {
    await shutdown();
    process.exit(code);
  }
}

/** A page failed: tell the runner (PB_BROWSER_FAILED), close Chromium, exit 1. */
function fatal(detail: string): void {
  console.error(`browser host: ${detail}`);
  send({ type: 'fatal', detail });
  void exitAfterShutdown(1);
}

async function launch(chromiumPath: string | undefined): Promise<{ userDataDir: string; version: string }> {
  if (session || profileDir) throw new PushbenchError('PB_BROWSER_FAILED', 'launch: already launched');
  const launched = await launchSession(chromiumPath, (dir) => {
    profileDir = dir;
  });
  // A stop or signal that came while Chromium was starting: close it at once.
  if (shuttingDown) {
    await launched.close();
    throw new PushbenchError('PB_BROWSER_FAILED', 'launch: the host is shutting down');
  }
  session = launched;
  return { userDataDir: session.userDataDir, version: session.version };
}

async function init(config: BrowserHostConfig): Promise<{ pages: number }> {
  if (!session || fleet) throw new PushbenchError('PB_BROWSER_FAILED', 'init: send launch (once) first');
  fleet = new BrowserFleet(config, session, fatal);
  const targets: PageTarget[] = [];
  for (const id of config.pageIds) {
    const plan = await setupNetwork({
      targetUrl: config.targetUrl,
      clientIds: [id],
      network: config.network,
      faults: config.faults.map((f) => ({ ...f, clientIds: f.clientIds.filter((c) => c === id) })),
      allowRemote: config.allowRemote,
      always: true,
    });
    if (!plan) throw new PushbenchError('PB_BROWSER_FAILED', `init: no proxy for page ${id}`);
    networks.push(plan);
    targets.push({ id, baseUrl: plan.urlFor(id), proxy: plan.proxy });
  }
  await fleet.open(targets);
  return { pages: targets.length };
}

async function stop(): Promise<unknown> {
  if (!fleet) {
    await shutdown();
    return undefined;
  }
  clearInterval(progressTimer);
  const final = await fleet.stop();
  await shutdown();
  return final;
}

function start(): void {
  if (!fleet) return;
  fleet.start();
  progressTimer ??= setInterval(
    () => fleet && send({ type: 'progress', ...fleet.progress() }),
    PROGRESS_EVERY_MS,
  );
}

function main(): void {
  child = childMain<BrowserHostRequest>({
    name: 'runner/browser-host.ts',
    requireIpc: true,
    serial: true,
    requests: {
      launch: (req) => launch(req.chromiumPath),
      init: (req) => init(req.config),
      stop: async (_req, ctx) => {
        const final = await stop();
        ctx.exitAfterReply(0);
        return final;
      },
    },
    messages: { start },
    shutdown,
    exitSignals: ['SIGHUP'],
    onUncaught: (kind, err) => {
      console.error(`browser host: ${kind}:`, err);
      void exitAfterShutdown(1);
    },
  });
}

// Importing this module (e.g. for its types) must not turn the importer into a browser host.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
