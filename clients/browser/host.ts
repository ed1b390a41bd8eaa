/**
 * BrowserFleet: K Chromium pages, each running one client of the page script
 * (clients/browser/page/) loaded from the pushbench server through its own fault proxy, so
 * faults hit it like any client and the proxy counts its bytes. Pages report through an
 * exposed function (a DevTools call, not the network) into one Recorder; stop() returns a
 * WorkerReport like a generator's. Chromium is closed on every path: stop(), close(), a
 * failed open.
 */
import type { Page } from 'playwright-core';
import { BROWSER_DEFAULTS } from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';
import type { ProtocolName } from '../../core/types.ts';
import type { FaultProxy } from '../../network/proxy.ts';
import type { Progress } from '../fleet.ts';
import { Recorder } from '../metrics.ts';
import type { WorkerReport } from '../report-types.ts';
import { pollPhaseMs } from '../short-poll.ts';
import type { ChromiumSession } from './chromium.ts';
import { PageRecorder } from './page-recorder.ts';
import type { PageBatch, PageConfig, TimerLag } from './types.ts';

/** One page to open: its id, the base URL it loads from (a proxy lane) and that proxy. */
export interface PageTarget {
  id: string;
  baseUrl: string;
  proxy: FaultProxy;
}

export interface BrowserFleetConfig {
  protocol: ProtocolName;
  /** Pages start evenly spread over this. */
  rampUpMs: number;
  /** Epoch ms: latencies received before it are not recorded. */
  warmUpEndsAtMs: number;
  /** Epoch ms: the end of the measured window (requests per second count inside it). */
  measureEndsAtMs?: number;
  /** Client settings of every page. */
  settings: Omit<PageConfig, 'id' | 'protocol'>;
}

/** What a browser run knows beyond a WorkerReport. */
export interface BrowserFleetInfo {
  version: string;
  userDataDir: string;
  pages: number;
  /** Worst page's timer lag (the page's main thread: its own saturation). */
  timerLag: TimerLag;
  /** TCP connections the pages opened through their proxies once loaded. */
  connections: number;
}

interface HostedPage {
  target: PageTarget;
  page: Page;
  recorder: PageRecorder;
}

export class BrowserFleet {
  readonly recorder: Recorder;
  private readonly pages: HostedPage[] = [];
  private rampTimers: NodeJS.Timeout[] = [];
  private closed = false;

  /**
   * Pages of `session` (launchSession(), owned from now on: close() closes it). `onFailure`
   * (what happened): a page crashed or closed under us, so the run cannot go on truthfully.
   */
  constructor(
    private readonly config: BrowserFleetConfig,
    private readonly session: ChromiumSession,
    private readonly onFailure: (detail: string) => void = () => undefined,
  ) {
    this.recorder = new Recorder({
      workerIndex: 0,
      protocol: config.protocol,
      warmUpEndsAtMs: config.warmUpEndsAtMs,
      measureEndsAtMs: config.measureEndsAtMs,
    });
  }

  /** Open every page and wait until its script is ready; their byte counts start after the load. */
  async open(targets: PageTarget[]): Promise<void> {
    if (this.closed) throw new PushbenchError('PB_BROWSER_FAILED', 'open: the fleet is closed');
    this.pages.push(...(await Promise.all(targets.map((t) => this.openPage(t)))));
    for (const p of this.pages) p.recorder.startCounting();
  }

  /** Start each page's client, evenly spread over rampUpMs. */
  start(): void {
    const stepMs = this.pages.length > 0 ? this.config.rampUpMs / this.pages.length : 0;
    this.pages.forEach((p, i) => {
      this.rampTimers.push(setTimeout(() => void this.startPage(p), i * stepMs));
    });
  }

  progress(): Progress {
    const r = this.recorder;
    return { connected: r.connected, delivered: r.delivered, p99Ms: r.currentP99Ms(), atMs: Date.now() };
  }

  /** Stop every page's client (its last batch applied), close Chromium, return the report. */
  async stop(): Promise<{ report: WorkerReport; info: BrowserFleetInfo }> {
    for (const t of this.rampTimers) clearTimeout(t);
    await Promise.all(this.pages.map((p) => this.stopPage(p)));
    const report = this.recorder.snapshot();
    this.recorder.close();
    const info = this.info();
    await this.close();
    return { report, info };
  }

  /** Close Chromium and every page (idempotent). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.rampTimers) clearTimeout(t);
    this.recorder.close();
    await this.session.close();
  }

  private info(): BrowserFleetInfo {
    const lags = this.pages.map((p) => p.recorder.timerLag);
    return {
      version: this.session.version,
      userDataDir: this.session.userDataDir,
      pages: this.pages.length,
      timerLag: {
        count: lags.reduce((n, l) => n + l.count, 0),
        p99Ms: Math.max(0, ...lags.map((l) => l.p99Ms)),
        maxMs: Math.max(0, ...lags.map((l) => l.maxMs)),
      },
      connections: this.pages.reduce((n, p) => n + p.recorder.bytes.connections, 0),
    };
  }

  private async openPage(target: PageTarget): Promise<HostedPage> {
    const session = this.session;
    const page = await session.context.newPage();
    const recorder = new PageRecorder(this.recorder, target.id, target.proxy);
    const hosted = { target, page, recorder };
    page.on('crash', () => this.fail(`page ${target.id} crashed`));
    page.on('close', () => !this.closed && this.fail(`page ${target.id} closed`));
    page.on('pageerror', (err) => {
      this.recorder.countError('page-error');
      console.error(`browser page ${target.id}:`, err.message);
    });
    await page.exposeFunction('__pushbenchReport', (batch: PageBatch) => recorder.apply(batch));
    // socket.io pages fetch Socket.IO's browser bundle while they load (page-load bytes are not counted).
    const url = `${target.baseUrl}/bench/${this.config.protocol === 'socket.io' ? '?preload=socket.io' : ''}`;
    try {
      const res = await page.goto(url, { waitUntil: 'load', timeout: BROWSER_DEFAULTS.pageLoadTimeoutMs });
      if (!res?.ok()) throw new Error(`HTTP ${res?.status() ?? 'no response'}`);
      await page.waitForFunction(
        () => (window as { pushbench?: { ready?: boolean } }).pushbench?.ready,
        null,
        {
          timeout: BROWSER_DEFAULTS.pageLoadTimeoutMs,
        },
      );
    } catch (err) {
      throw new PushbenchError(
        'PB_BROWSER_FAILED',
        `page ${target.id}: ${url} did not load: ${(err as Error).message}`,
      );
    }
    return hosted;
  }

  private async startPage(p: HostedPage): Promise<void> {
    const config: PageConfig = {
      ...this.config.settings,
      id: p.target.id,
      protocol: this.config.protocol,
      ...(this.config.protocol === 'short-poll'
        ? {
            pollPhaseMs: pollPhaseMs(
              this.pages.indexOf(p),
              this.pages.length,
              this.config.settings.pollIntervalMs,
            ),
          }
        : {}),
    };
    try {
      await p.page.evaluate(
        (c) => (window as unknown as { pushbench: { start(c: unknown): boolean } }).pushbench.start(c),
        config,
      );
    } catch (err) {
      if (!this.closed) this.fail(`page ${p.target.id} did not start: ${(err as Error).message}`);
    }
  }

  /** The page's last batch; a page that does not answer within the close budget is counted. */
  private async stopPage(p: HostedPage): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), BROWSER_DEFAULTS.closeTimeoutMs);
    });
    const stop = p.page
      .evaluate(
        () =>
          (window as unknown as { pushbench: { stop(): unknown } }).pushbench.stop() as PageBatch | undefined,
      )
      .catch(() => undefined);
    const batch = await Promise.race([stop, timeout]);
    clearTimeout(timer);
    if (batch) p.recorder.apply(batch);
    else this.recorder.countError('page-stop-failed');
    p.recorder.bytes.destroy();
  }

  private fail(detail: string): void {
    if (!this.closed) this.onFailure(detail);
  }
}
