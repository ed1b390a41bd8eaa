/**
 * The runner's side of browser clients (scenario `browsers: K`): the browser host child
 * process (scenarios/browser-host.ts) — Chromium launched early, pages opened once the
 * timeline is known — and the extra RunResult with engine "browser" built from what the
 * pages measured. The host closes Chromium on every path; kill() is the last resort.
 */
import { killMarked } from '../clients/browser/chromium.ts';
import type { BrowserFleetInfo } from '../clients/browser/host.ts';
import { browserObservations } from '../clients/browser/observations.ts';
import type { BrowserReconnectEvent } from '../clients/browser/types.ts';
import { mergeWorkerReports } from '../clients/merge.ts';
import type { WorkerReport } from '../clients/report-types.ts';
import { BROWSER_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import type { ProtocolName, RunResult } from '../core/types.ts';
import { type AggregateInput, type AppliedFaultWindow, aggregateRun } from './aggregate.ts';
import type { BrowserHostConfig } from './browser-host.ts';
import { ChildHandle } from './child.ts';
import { round3, summarizeTimings } from './results-io.ts';
import type { Scenario } from './schema.ts';

const BROWSER_HOST_ENTRY = new URL('./browser-host.ts', import.meta.url);

/** Ids of a run's browser pages: b1…bK (the `client` each page announces). */
export function pageIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `b${i + 1}`);
}

/** The host's final answer to 'stop'. */
export interface BrowserHostFinal {
  report: WorkerReport;
  info: BrowserFleetInfo;
}

/** A browser host child process for one protocol run. */
export class BrowserHost {
  readonly child: ChildHandle;
  /** Rejects when a page fails (the host closed Chromium and exits). */
  readonly fatal: Promise<never>;
  /** Chromium is up (the host's answer to 'launch'). */
  readonly launched: Promise<{ userDataDir: string; version: string }>;
  private userDataDir: string | undefined;

  /** Spawn the host and launch Chromium at once (it takes a while); see init(). */
  constructor(protocol: ProtocolName) {
    this.child = new ChildHandle(`browser host (${protocol})`, BROWSER_HOST_ENTRY);
    this.launched = this.child.request('launch', {}, BROWSER_DEFAULTS.launchTimeoutMs + 15_000);
    this.launched.then((r) => (this.userDataDir = r.userDataDir)).catch(() => undefined);
    this.fatal = new Promise<never>((_, reject) => {
      this.child.once('msg:fatal', (m: { message: string }) =>
        reject(new PushbenchError('PB_BROWSER_FAILED', `${this.child.name}: ${m.message}`)),
      );
    });
    this.fatal.catch(() => undefined);
  }

  /** Wait for Chromium, then open the pages through their proxies. */
  async init(config: BrowserHostConfig): Promise<void> {
    const launched = await this.launched.catch((err: Error) => {
      throw new PushbenchError('PB_BROWSER_FAILED', `${this.child.name}: ${err.message}`);
    });
    this.userDataDir = launched.userDataDir;
    const timeoutMs = BROWSER_DEFAULTS.pageLoadTimeoutMs * Math.max(1, config.pageIds.length) + 10_000;
    await this.child.request('init', { config: config as unknown as Record<string, unknown> }, timeoutMs);
  }

  /** Stop the pages and collect their report; the host closes Chromium and exits. */
  async stop(): Promise<BrowserHostFinal> {
    this.child.expectExit();
    return this.child.request<BrowserHostFinal>('stop', {}, 30_000);
  }

  /** Last resort on every path: stop the host, then kill any Chromium process it left. */
  async kill(): Promise<void> {
    await this.child.stop(BROWSER_DEFAULTS.closeTimeoutMs + 3_000);
    if (this.userDataDir) killMarked(this.userDataDir);
  }
}

/** The host's config from the scenario (page settings as the Node clients get them). */
export function browserHostConfig(
  s: Scenario,
  protocol: ProtocolName,
  ids: string[],
  targetUrl: string,
  allowRemote: boolean,
  warmUpEndsAtMs: number,
  windows: AppliedFaultWindow[],
): BrowserHostConfig {
  return {
    protocol,
    pageIds: ids,
    targetUrl,
    allowRemote,
    rampUpMs: s.rampUpMs,
    warmUpEndsAtMs,
    settings: {
      pollIntervalMs: s.poll.intervalMs,
      pollTimeoutMs: s.poll.timeoutMs,
      longPollWaitMs: s.longPoll.waitMs,
      longPollMarginMs: s.longPoll.marginMs,
      sseKeepAliveMs: s.sse.keepAliveMs,
      sseIdleFactor: s.sse.idleFactor,
      heartbeat: s.heartbeat,
      backoff: s.backoff,
    },
    network: s.network,
    faults: windows.map((w, i) => ({
      kind: w.kind,
      startMs: w.startMs,
      endMs: w.endMs,
      direction: s.faults[i].direction,
      params: s.faults[i].params,
      clientIds: [...w.clientIds].filter((id) => ids.includes(id)),
    })),
  };
}

/** Fault windows seen by one engine's clients only (FaultRecord.clients counts them). */
export function windowsFor(windows: AppliedFaultWindow[], ids: string[]): AppliedFaultWindow[] {
  const mine = new Set(ids);
  return windows.map((w) => ({ ...w, clientIds: new Set([...w.clientIds].filter((id) => mine.has(id))) }));
}

/** The engine "browser" RunResult: the usual figures, the `browser` block and notes. */
export function browserRunResult(
  s: Scenario,
  final: BrowserHostFinal,
  base: Omit<AggregateInput, 'engine' | 'clients' | 'merged'>,
): RunResult {
  const merged = mergeWorkerReports([final.report]);
  const run = aggregateRun({ ...base, engine: 'browser', clients: final.info.pages, merged });
  const lagMs = final.info.timerLag.p99Ms;
  const loopMs = Math.max(run.generator.eventLoopP99Ms, lagMs);
  run.generator = { eventLoopP99Ms: round3(loopMs), saturated: loopMs > base.saturationMs };
  run.browser = browserObservations({
    events: merged.reconnects as BrowserReconnectEvent[],
    info: final.info,
    errors: merged.errors,
    measureStartMs: base.measureStartMs,
    faults: base.faults,
    summarize: summarizeTimings,
  });
  run.notes = [...(run.notes ?? []), ...browserNotes(s, base.protocol, run)];
  return run;
}

function browserNotes(s: Scenario, protocol: ProtocolName, run: RunResult): string[] {
  const b = run.browser!;
  const notes = [
    `${b.pages} Chromium page(s) (${b.version}), each through its own fault proxy; HTTP headers are Chromium's own (scenario \`headers\` does not apply).`,
    'Bytes are counted by the fault proxy per page (TCP payload between Chromium and the proxy), the page load excluded.',
    'Server figures are those of the one server process shared with the Node clients of this protocol run.',
    `generator.eventLoopP99Ms is the worse of the browser host's event loop and the pages' timer lag (p99 ${b.timerLagMs.p99} ms).`,
  ];
  if (protocol === 'websocket') {
    notes.push(
      s.heartbeat.giveUp === 'close'
        ? "giveUp 'close': the page calls ws.close() and reconnects from onclose, as the article does (browser.oncloseDelayMs)."
        : "giveUp 'terminate' has no browser equivalent: the page calls ws.close() and reconnects without waiting for onclose (its delay is still recorded).",
    );
  }
  if (protocol === 'sse') {
    notes.push(
      `EventSource reconnects by itself after an error (browser.browserRetries) and hides keep-alive comments: the page's idle watchdog (${s.sse.idleFactor} × keep-alive) sees events only.`,
    );
  }
  return notes;
}
