/**
 * 1-second buckets keyed by epoch second, so buckets from several generator processes
 * line up and merge by key. Each bucket: connected clients (sampled when the second
 * ends), unique deliveries, a latency histogram (every delivered message, steady and
 * recovered, warm-up included — the chart shows the whole run), and socket bytes
 * in / out during that second (sampled from the byte meters when the second ends).
 * Closed buckets keep only their encoded histogram; at most two stay live.
 */
import { createHistogram, encodeHistogram, type Histogram } from './histograms.ts';

export interface BucketReport {
  /** Epoch second: the bucket covers [sec × 1000, sec × 1000 + 1000) ms. */
  sec: number;
  connected: number;
  delivered: number;
  bytesIn: number;
  bytesOut: number;
  /** Encoded µs histogram ('' when empty). */
  latencyUs: string;
}

interface LiveBucket {
  report: BucketReport;
  hist: Histogram;
}

export class Timeseries {
  private readonly closed: BucketReport[] = [];
  private readonly live = new Map<number, LiveBucket>();
  private readonly spare: Histogram[] = [];
  private lastClosedSec = -Infinity;
  private lastP99Us = 0;
  /** The live bucket bucketFor() returned last (undefined once it is closed). */
  private recent: LiveBucket | undefined;

  /** One delivered message received at atMs with latency latencyUs (already clamped). */
  record(atMs: number, latencyUs: number): void {
    const b = this.bucketFor(Math.floor(atMs / 1000));
    b.report.delivered++;
    b.hist.recordValue(latencyUs);
  }

  /**
   * Close every bucket before `nowMs`'s second: the last one closed gets the sampled
   * connected count and the bytes moved since the previous close.
   */
  closeBefore(nowMs: number, connected: number, bytesIn: number, bytesOut: number): void {
    const sec = Math.floor(nowMs / 1000);
    if (sec - 1 <= this.lastClosedSec) {
      // Called twice within a second: nothing to close, but the bytes must land somewhere.
      const current = this.bucketFor(sec);
      current.report.bytesIn += bytesIn;
      current.report.bytesOut += bytesOut;
      return;
    }
    const last = this.bucketFor(sec - 1, true);
    last.report.connected = connected;
    last.report.bytesIn += bytesIn;
    last.report.bytesOut += bytesOut;
    for (const key of [...this.live.keys()].sort((a, b) => a - b)) {
      if (key >= sec) continue;
      const b = this.live.get(key)!;
      this.live.delete(key);
      if (this.recent === b) this.recent = undefined;
      b.report.latencyUs = encodeHistogram(b.hist);
      this.lastP99Us = b.hist.totalCount > 0 ? b.hist.getValueAtPercentile(99) : 0;
      b.hist.reset();
      this.spare.push(b.hist);
      this.closed.push(b.report);
    }
    this.lastClosedSec = sec - 1;
  }

  /** Every bucket so far; the current second provisionally gets `connected` and the pending bytes. */
  snapshot(nowMs: number, connected: number, pendingIn: number, pendingOut: number): BucketReport[] {
    this.bucketFor(Math.floor(nowMs / 1000));
    const out = [...this.closed];
    const liveKeys = [...this.live.keys()].sort((a, b) => a - b);
    liveKeys.forEach((key, i) => {
      const b = this.live.get(key)!;
      const isLast = i === liveKeys.length - 1;
      out.push({
        ...b.report,
        connected: isLast ? connected : b.report.connected,
        bytesIn: b.report.bytesIn + (isLast ? pendingIn : 0),
        bytesOut: b.report.bytesOut + (isLast ? pendingOut : 0),
        latencyUs: encodeHistogram(b.hist),
      });
    });
    return out;
  }

  /** p99 in ms of the most recently closed second (0 when it had no delivery); for progress lines. */
  lastP99Ms(): number {
    return this.lastP99Us / 1000;
  }

  private bucketFor(sec: number, force = false): LiveBucket {
    // A late record for an already closed second goes to the newest live one.
    const key = !force && sec <= this.lastClosedSec ? this.lastClosedSec + 1 : sec;
    // Nearly every record lands in the bucket of the previous one: skip the Map lookup.
    if (this.recent?.report.sec === key) return this.recent;
    let b = this.live.get(key);
    if (!b) {
      const hist = this.spare.pop() ?? createHistogram();
      b = { report: { sec: key, connected: 0, delivered: 0, bytesIn: 0, bytesOut: 0, latencyUs: '' }, hist };
      this.live.set(key, b);
    }
    this.recent = b;
    return b;
  }
}
