/**
 * The host's side of one page: its batches (clients/browser/types.ts PageBatch) applied to
 * the host's Recorder exactly as a simulated client would have recorded them — latencies
 * into the HDR histograms (the page measured them on its own clock), counters, ping RTTs,
 * errors, reconnect events — and its bytes read from the fault proxy it goes through, since
 * the page cannot see its sockets.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { FaultProxy } from '../../network/proxy.ts';
import type { Recorder } from '../metrics.ts';
import { CLIENT_COUNTERS, type ClientStats, type ReconnectEvent } from '../report-types.ts';
import type { PageBatch, PageStats, TimerLag } from './types.ts';

/**
 * A page's proxy totals since a baseline, shaped like the socket a ByteMeter reads
 * (bytesRead / bytesWritten, 'close'), so the Recorder's per-second byte series and totals
 * work unchanged. bytesRead = server → page (proxy bytesDown), bytesWritten = page → server.
 */
export class ProxyBytes extends EventEmitter {
  closed = false;
  private base = { up: 0, down: 0, connections: 0 };
  private final: { up: number; down: number; connections: number } | undefined;

  constructor(private readonly proxy: FaultProxy) {
    super();
    this.rebase();
  }

  /** Count from now on (the page load before the client starts is not the protocol's). */
  rebase(): void {
    const t = this.proxy.totals();
    this.base = { up: t.bytesUp, down: t.bytesDown, connections: t.connections };
  }

  get bytesRead(): number {
    return this.final?.down ?? Math.max(0, this.proxy.totals().bytesDown - this.base.down);
  }

  get bytesWritten(): number {
    return this.final?.up ?? Math.max(0, this.proxy.totals().bytesUp - this.base.up);
  }

  /** TCP connections the page opened through its proxy since the baseline. */
  get connections(): number {
    return this.final?.connections ?? this.proxy.totals().connections - this.base.connections;
  }

  /** Freeze the counts (before the proxy closes); the meter sees a closed socket. */
  destroy(): void {
    if (this.closed) return;
    this.final = { up: this.bytesWritten, down: this.bytesRead, connections: this.connections };
    this.closed = true;
    this.emit('close');
  }

  /** The ByteMeter's view of this object. */
  asSocket(): Socket {
    return this as unknown as Socket;
  }
}

const COUNTERS: Array<keyof PageStats & keyof ClientStats> = [
  ...CLIENT_COUNTERS,
  'subscribedAfterSeq',
  'lastSeq',
  'highWaterSeq',
  'firstOpenAtMs',
];

/** Error kinds counted per batch at most this often (a runaway page cannot stall the host). */
const MAX_ERRORS_PER_KIND = 10_000;

export class PageRecorder {
  readonly stats: ClientStats;
  readonly bytes: ProxyBytes;
  /** The page's latest timer-lag figures. */
  timerLag: TimerLag = { count: 0, p99Ms: 0, maxMs: 0 };
  private readonly events = new Map<number, ReconnectEvent>();

  constructor(
    private readonly recorder: Recorder,
    id: string,
    proxy: FaultProxy,
  ) {
    this.stats = recorder.addClient(id);
    this.bytes = new ProxyBytes(proxy);
  }

  /** Start counting the page's bytes from now (after its load: not the protocol's bytes). */
  startCounting(): void {
    this.bytes.rebase();
    this.stats.meter.track(this.bytes.asSocket());
  }

  /** Apply one batch; a malformed one is counted ('bad-batch') and ignored. */
  apply(batch: PageBatch): void {
    if (!isBatch(batch)) {
      this.recorder.countError('bad-batch');
      return;
    }
    const stats = this.stats as unknown as Record<string, unknown>;
    // The page counts its requests itself; the ones new in this batch count for the window now.
    const sent = batch.stats.requests;
    if (typeof sent === 'number' && sent > this.stats.requests)
      this.recorder.countRequests(this.stats, sent - this.stats.requests);
    for (const key of COUNTERS) {
      const value = batch.stats[key];
      if (typeof value === 'number') stats[key] = value;
    }
    this.recorder.setConnected(this.stats, batch.stats.connected === true);
    const d = batch.deliveries;
    for (let i = 0; i + 2 < d.length; i += 3) this.recorder.recordDelivery(d[i], d[i + 1], d[i + 2] === 1);
    const p = batch.pings;
    for (let i = 0; i + 1 < p.length; i += 2) this.recorder.recordPingRtt(p[i], p[i + 1]);
    for (const [kind, n] of Object.entries(batch.errors)) {
      for (let i = 0; i < Math.min(n, MAX_ERRORS_PER_KIND); i++) this.recorder.countError(kind);
    }
    for (const [index, event] of batch.events) {
      const known = this.events.get(index);
      if (known) Object.assign(known, event);
      else this.events.set(index, this.recorder.addReconnect({ ...event }));
    }
    if (batch.timerLag) this.timerLag = batch.timerLag;
  }
}

function isBatch(b: PageBatch): boolean {
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.stats === 'object' &&
    b.stats !== null &&
    Array.isArray(b.deliveries) &&
    Array.isArray(b.pings) &&
    Array.isArray(b.events) &&
    typeof b.errors === 'object' &&
    b.errors !== null
  );
}
