/**
 * The runner's side of browser clients (scenario `browsers: K`): the browser host child
 * process (runner/browser-host.ts) — Chromium launched early, pages opened once the
 * timeline is known — and the extra RunResult with engine "browser" built from what the
 * pages measured. The host closes Chromium on every path; kill() is the last resort.
 */

import { killMarkedAndWait, killMarkedAndWaitSync } from '../clients/browser/chromium.ts';
import type { BrowserFleetInfo } from '../clients/browser/host.ts';
import { browserObservations } from '../clients/browser/observations.ts';
import type { BrowserReconnectEvent } from '../clients/browser/types.ts';
import { mergeWorkerReports } from '../clients/merge.ts';
import type { WorkerReport } from '../clients/report-types.ts';
import { BROWSER_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import type { ProtocolName, RunResult } from '../core/types.ts';
import type { Scenario } from '../scenarios/schema.ts';
import { type AggregateInput, type AppliedFaultWindow, aggregateRun } from './aggregate.ts';
import type { BrowserHostConfig, BrowserHostRequest } from './browser-host.ts';
import { ChildHandle } from './child.ts';
import { round3, summarizeTimings } from './results-io.ts';
import { scenarioClientSettings, scenarioFaults } from './settings.ts';

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
  readonly child: ChildHandle<BrowserHostRequest>;
  /** Rejects when a page fails (the host closed Chromium and exits). */
  readonly fatal: Promise<never>;
  private readonly launched: Promise<{ userDataDir: string; version: string }>;
  private userDataDir: string | undefined;

  /** Spawn the host and launch Chromium at once (it takes a while); see init(). */
  constructor(protocol: ProtocolName) {
    this.child = new ChildHandle<BrowserHostRequest>(`browser host (${protocol})`, BROWSER_HOST_ENTRY);
    this.launched = this.child.request('launch', {}, BROWSER_DEFAULTS.launchTimeoutMs + 15_000);
    this.launched.then((r) => (this.userDataDir = r.userDataDir)).catch(() => undefined);
    // The CLI exiting at once (killAllChildrenSync): the host dies by SIGKILL and cannot close
    // Chromium, so its processes are killed here, and waited for, before our process ends.
    this.child.onKilledSync = () => {
      if (this.userDataDir) killMarkedAndWaitSync(this.userDataDir);
    };
    this.fatal = new Promise<never>((_, reject) => {
      this.child.once('msg:fatal', (m: { detail: string }) =>
        reject(new PushbenchError('PB_BROWSER_FAILED', `${this.child.name}: ${m.detail}`)),
      );
    });
    this.fatal.catch(() => undefined);
  }

  /** Chromium is up; a failed launch rejects with PB_BROWSER_FAILED. */
  async waitLaunched(): Promise<void> {
    await Promise.race([this.launched, this.fatal]).catch((err) => {
      throw browserFailed(err);
    });
  }

  /** Wait for Chromium, then open the pages through their proxies. */
  async init(config: BrowserHostConfig): Promise<void> {
    const timeoutMs = BROWSER_DEFAULTS.pageLoadTimeoutMs + 10_000;
    try {
      this.userDataDir = (await this.launched).userDataDir;
      await this.child.request('init', { config }, timeoutMs);
    } catch (err) {
      throw browserFailed(err);
    }
  }

  /** Stop the pages and collect their report; the host closes Chromium and exits. */
  async stop(): Promise<BrowserHostFinal> {
    this.child.expectExit();
    const final = await this.child.request<BrowserHostFinal>('stop', {}, 30_000);
    // The host exits right after its answer: the run ends only once it and its Chromium are gone.
    await this.child.stop(BROWSER_DEFAULTS.closeTimeoutMs + 3_000);
    if (this.userDataDir) await killMarkedAndWait(this.userDataDir);
    return final;
  }

  /** Last resort on every path: stop the host, then kill any Chromium process it left. */
  async kill(): Promise<void> {
    await this.child.stop(BROWSER_DEFAULTS.closeTimeoutMs + 3_000);
    if (this.userDataDir) await killMarkedAndWait(this.userDataDir);
  }
}

/** A host's failure as PB_BROWSER_FAILED, without repeating the catalogue's words. */
function browserFailed(err: unknown): PushbenchError {
  if (err instanceof PushbenchError && err.code === 'PB_BROWSER_FAILED') return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PushbenchError('PB_BROWSER_FAILED', message.replaceAll('browser client failed: ', ''));
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
    measureEndsAtMs: warmUpEndsAtMs + s.durationMs,
    settings: {
      ...scenarioClientSettings(s),
      sourceEndsAtMs: warmUpEndsAtMs + s.durationMs,
    },
    network: s.network,
    faults: scenarioFaults(s, windows, ids),
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
  const loopMs = Math.max(run.generator.eventLoopP99Ms ?? 0, lagMs);
  run.generator = { ...run.generator, eventLoopP99Ms: round3(loopMs), saturated: loopMs > base.saturationMs };
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
    `Chromium ${b.version}, ${b.pages} page(s); bytes counted by each page's fault proxy (page load excluded); server figures shared with the Node clients.`,
  ];
  if (protocol === 'websocket') {
    const d = b.oncloseDelayMs;
    const closes = d.count + b.oncloseMissing;
    const codes = Object.entries(b.closeCodes).map(([code, n]) => `${code}×${n}`);
    if (closes > 0) {
      notes.push(
        `onclose after ws.close(): p50 ${seconds(d.p50)}, max ${seconds(d.max)} (${d.count} of ${closes} fired` +
          (codes.length ? `; codes ${codes.join(', ')})` : ')'),
      );
    }
    if (s.heartbeat.giveUp === 'terminate') {
      notes.push(
        "giveUp 'terminate' has no browser equivalent: the page calls ws.close() and reconnects without waiting for onclose.",
      );
    }
  }
  if (protocol === 'sse') {
    notes.push(
      `EventSource retried by itself ${b.browserRetries}×; the page's idle watchdog (${s.sse.idleFactor} × keep-alive) sees events only.`,
    );
  }
  return notes;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${round3(ms / 1000)} s` : `${round3(ms)} ms`;
}

/**
 * With pages, the one server served both runs: its CPU per delivered message is over the
 * Node clients' and the pages' deliveries together, in both runs.
 */
export function shareServerCost(node: RunResult, browser: RunResult): void {
  const perMsg = node.server.cpuMsPerDeliveredMessage ?? 0;
  const cpuMs = perMsg * node.delivery.delivered;
  const delivered = node.delivery.delivered + browser.delivery.delivered;
  const shared = delivered > 0 ? round3(cpuMs / delivered) : 0;
  node.server.cpuMsPerDeliveredMessage = shared;
  browser.server.cpuMsPerDeliveredMessage = shared;
}
