/**
 * The Recorder: one per generator process, shared by its clients. Latency (receive time −
 * envelope t, µs) into HDR histograms — steady and recovered apart — ping RTT, delivery
 * counters per client, raw reconnect events (epoch ms: the runner lines them up with the
 * fault windows), 1-second time series, generator event-loop delay, errors by kind.
 * `snapshot()` is JSON-serializable with encoded histograms; `mergeWorkerReports` (./merge.ts)
 * adds them up exactly. Definitions: docs/clients.md "Metrics".
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { nowMs } from '../core/clock.ts';
import { ByteMeter } from './bytes.ts';
import { clampUs, createHistogram, encodeHistogram } from './histograms.ts';
import { zeroTotals } from './merge.ts';
import {
  CLIENT_COUNTERS,
  type ClientReport,
  type ClientStats,
  type ReconnectEvent,
  type WorkerReport,
  type WorkerTotals,
  zeroCounters,
} from './report-types.ts';
import { Timeseries } from './timeseries.ts';

export { mergeWorkerReports } from './merge.ts';
export type * from './report-types.ts';

/** Event-loop sampling period; Node records the whole period, so it is subtracted from the figures. */
const EVENT_LOOP_RESOLUTION_MS = 10;

/** Raw reconnect events kept per recorder (beyond: counted as 'reconnect-events-dropped'). */
const MAX_RECONNECT_EVENTS = 200_000;

export interface RecorderOptions {
  workerIndex?: number;
  protocol?: string;
  /** Epoch ms; receive times before it are kept out of the latency histograms (delivery still counts). */
  warmUpEndsAtMs?: number;
  /** Epoch ms: the measured window's end (requests sent in [warmUpEndsAtMs, this) are `requestsMeasured`). */
  measureEndsAtMs?: number;
}

export class Recorder {
  readonly workerIndex: number;
  readonly protocol: string;
  warmUpEndsAtMs: number;
  measureEndsAtMs: number;
  private readonly steady = createHistogram();
  private readonly recovered = createHistogram();
  private readonly pingRtt = createHistogram();
  private readonly series = new Timeseries();
  private readonly clients = new Map<string, ClientStats>();
  private readonly reconnectEvents: ReconnectEvent[] = [];
  private readonly errors: Record<string, number> = {};
  /** The first example of an error kind that keeps one (an unparsed message), cut to 200 chars. */
  private readonly samples: Record<string, string> = {};
  private readonly eventLoop: IntervalHistogram = monitorEventLoopDelay({
    resolution: EVENT_LOOP_RESOLUTION_MS,
  });
  private readonly startedAtMs = nowMs();
  private connectedCount = 0;
  private connectionsLost = 0;
  private warmUpSkipped = 0;
  private negativeLatencies = 0;
  private requestsMeasured = 0;
  private lastBytes = { inBytes: 0, outBytes: 0 };
  private tickTimer: NodeJS.Timeout | undefined;
  private warmUpTimer: NodeJS.Timeout | undefined;
  private measureEndTimer: NodeJS.Timeout | undefined;
  /** The event-loop figures frozen at the measured window's end (drain and teardown left out). */
  private eventLoopAtEnd: WorkerReport['eventLoop'] | undefined;

  constructor(opts: RecorderOptions = {}) {
    this.workerIndex = opts.workerIndex ?? 0;
    this.protocol = opts.protocol ?? '';
    this.warmUpEndsAtMs = opts.warmUpEndsAtMs ?? 0;
    this.measureEndsAtMs = opts.measureEndsAtMs ?? Number.POSITIVE_INFINITY;
    this.eventLoop.enable();
    this.scheduleTick();
    const untilWarmUpMs = this.warmUpEndsAtMs - nowMs();
    if (untilWarmUpMs > 0) {
      // Ramp-up spikes are not saturation: the event-loop figure covers the measured part only.
      this.warmUpTimer = setTimeout(() => this.eventLoop.reset(), untilWarmUpMs);
      this.warmUpTimer.unref();
    }
    const untilEndMs = this.measureEndsAtMs - nowMs();
    if (Number.isFinite(untilEndMs)) {
      // Closing thousands of sockets after the window is not saturation during it.
      this.measureEndTimer = setTimeout(
        () => {
          this.eventLoopAtEnd = this.eventLoopSummary();
          this.eventLoop.disable();
        },
        Math.max(0, untilEndMs),
      );
      this.measureEndTimer.unref();
    }
  }

  /** Register a client; its counters live here so snapshots see them without asking. */
  addClient(id: string): ClientStats {
    const stats: ClientStats = {
      id,
      subscribedAfterSeq: undefined,
      lastSeq: 0,
      highWaterSeq: 0,
      ...zeroCounters(),
      connected: false,
      firstOpenAtMs: undefined,
      meter: new ByteMeter(),
    };
    this.clients.set(id, stats);
    return stats;
  }

  /** One newly delivered message (not a duplicate): latency into the right histogram. */
  recordDelivery(atMs: number, publishedAtMs: number, recovered: boolean): void {
    const rawUs = (atMs - publishedAtMs) * 1000;
    if (rawUs < 0) this.negativeLatencies++;
    const us = clampUs(rawUs);
    this.series.record(atMs, us);
    if (atMs < this.warmUpEndsAtMs) {
      this.warmUpSkipped++;
      return;
    }
    (recovered ? this.recovered : this.steady).recordValue(us);
  }

  /**
   * `n` HTTP requests of a client sent at atMs: its own count, and the measured window's
   * (requests per second divide that one by the window, docs/clients.md "Metrics").
   */
  countRequests(stats: ClientStats, n = 1, atMs = nowMs()): void {
    stats.requests += n;
    if (atMs >= this.warmUpEndsAtMs && atMs < this.measureEndsAtMs) this.requestsMeasured += n;
  }

  /** A heartbeat round trip in ms (warm-up excluded like latencies). */
  recordPingRtt(atMs: number, rttMs: number): void {
    if (atMs < this.warmUpEndsAtMs) return;
    this.pingRtt.recordValue(clampUs(rttMs * 1000));
  }

  /** Keep the connected count (for progress and the time series) in step with a client. */
  setConnected(stats: ClientStats, connected: boolean): void {
    if (stats.connected === connected) return;
    stats.connected = connected;
    this.connectedCount += connected ? 1 : -1;
  }

  /** Start a reconnect event; the client fills in openAtMs etc. on the returned object. */
  addReconnect(event: ReconnectEvent): ReconnectEvent {
    this.connectionsLost++;
    // Bounded: a flapping network × 10,000 clients must not grow snapshots without end.
    if (this.reconnectEvents.length < MAX_RECONNECT_EVENTS) this.reconnectEvents.push(event);
    else this.countError('reconnect-events-dropped');
    return event;
  }

  /** Count an error by kind ('timeout', 'ECONNRESET', 'http-503', 'heartbeat-timeout', …). */
  countError(kind: string): void {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /** Count an error and keep its first example (e.g. a message the pointers could not read). */
  countErrorWithSample(kind: string, sample: string): void {
    this.countError(kind);
    this.samples[kind] ??= sample.slice(0, 200);
  }

  get connected(): number {
    return this.connectedCount;
  }

  /** Unique deliveries so far, all clients. */
  get delivered(): number {
    let n = 0;
    for (const c of this.clients.values()) n += c.delivered;
    return n;
  }

  /** p99 latency in ms of the last full second (progress lines). */
  currentP99Ms(): number {
    return this.series.lastP99Ms();
  }

  /** Everything measured so far, JSON-serializable (histograms encoded). */
  snapshot(): WorkerReport {
    const clients: ClientReport[] = [];
    const totals = this.emptyTotals();
    for (const c of this.clients.values()) {
      const report = toClientReport(c);
      clients.push(report);
      addToTotals(totals, report);
    }
    const atMs = nowMs();
    const pendingIn = totals.bytesIn - this.lastBytes.inBytes;
    const pendingOut = totals.bytesOut - this.lastBytes.outBytes;
    return {
      schema: 'pushbench/worker@1',
      workerIndex: this.workerIndex,
      protocol: this.protocol,
      pid: process.pid,
      startedAtMs: this.startedAtMs,
      atMs,
      warmUpEndsAtMs: this.warmUpEndsAtMs,
      histograms: {
        steadyUs: encodeHistogram(this.steady),
        recoveredUs: encodeHistogram(this.recovered),
        pingRttUs: encodeHistogram(this.pingRtt),
      },
      totals,
      clients,
      reconnects: this.reconnectEvents.map((e) => ({ ...e })),
      timeseries: this.series.snapshot(atMs, this.connectedCount, pendingIn, pendingOut),
      eventLoop: this.eventLoopSummary(),
      resources: resources(),
      errors: { ...this.errors },
      ...(Object.keys(this.samples).length ? { errorSamples: { ...this.samples } } : {}),
    };
  }

  /** Stop the timers and the event-loop monitor (the snapshot stays available). */
  close(): void {
    clearTimeout(this.tickTimer);
    clearTimeout(this.warmUpTimer);
    clearTimeout(this.measureEndTimer);
    this.tickTimer = undefined;
    this.eventLoop.disable();
  }

  private scheduleTick(): void {
    // Just after each second boundary, so the bucket that ended is complete.
    const delayMs = 1000 - (nowMs() % 1000) + 5;
    this.tickTimer = setTimeout(() => {
      this.tick();
      this.scheduleTick();
    }, delayMs);
    this.tickTimer.unref();
  }

  private tick(): void {
    let inBytes = 0;
    let outBytes = 0;
    for (const c of this.clients.values()) {
      const t = c.meter.totals();
      inBytes += t.inBytes;
      outBytes += t.outBytes;
    }
    const dIn = inBytes - this.lastBytes.inBytes;
    const dOut = outBytes - this.lastBytes.outBytes;
    this.lastBytes = { inBytes, outBytes };
    this.series.closeBefore(nowMs(), this.connectedCount, dIn, dOut);
  }

  private eventLoopSummary(): WorkerReport['eventLoop'] {
    if (this.eventLoopAtEnd) return this.eventLoopAtEnd;
    const h = this.eventLoop;
    if (h.count === 0) return { p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 };
    const ms = (ns: number): number =>
      Math.max(0, Math.round(ns / 1e3 - EVENT_LOOP_RESOLUTION_MS * 1e3) / 1e3);
    return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) };
  }

  private emptyTotals(): WorkerTotals {
    return {
      ...zeroTotals(),
      connected: this.connectedCount,
      connectionsLost: this.connectionsLost,
      warmUpSkipped: this.warmUpSkipped,
      negativeLatencies: this.negativeLatencies,
      requestsMeasured: this.requestsMeasured,
    };
  }
}

/** This process's memory and CPU so far (the generator's own cost). */
function resources(): WorkerReport['resources'] {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  const mb = (b: number): number => Math.round(b / 1024 / 102.4) / 10;
  return {
    rssMB: mb(mem.rss),
    heapUsedMB: mb(mem.heapUsed),
    cpuUserMs: Math.round(cpu.user / 1000),
    cpuSystemMs: Math.round(cpu.system / 1000),
  };
}

function toClientReport(c: ClientStats): ClientReport {
  const { meter, ...rest } = c;
  const bytes = meter.totals();
  return { ...rest, bytesIn: bytes.inBytes, bytesOut: bytes.outBytes };
}

function addToTotals(t: WorkerTotals, c: ClientReport): void {
  t.clients++;
  for (const k of CLIENT_COUNTERS) t[k] += c[k];
  t.bytesIn += c.bytesIn;
  t.bytesOut += c.bytesOut;
}
