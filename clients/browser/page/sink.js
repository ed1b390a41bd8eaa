/**
 * What the page measured, handed to the Node host in batches through the function the host
 * exposes (window.__pushbenchReport): a DevTools call, not a network request, so reporting adds
 * no byte to what the fault proxy counts. A batch carries the counters, the deliveries
 * (receive time, envelope t, recovered) and ping round trips since the last batch, error
 * counts, the reconnect events that are new or changed, and the page's timer lag (how late
 * its 100 ms timer fires: the page's own saturation). Without a host nothing is sent.
 */

/** Epoch ms with a sub-ms fraction: the clock of the envelope's `t`. */
export const nowMs = () => performance.timeOrigin + performance.now();

const FLUSH_EVERY_MS = 100;
/** Reconnect events kept per page; beyond, counted as 'reconnect-events-dropped'. */
const MAX_EVENTS = 1000;
const LAG_TICK_MS = 100;
/** Timer lag histogram: 1 ms buckets, the last one holds everything above. */
const LAG_BUCKETS = 2001;

export class Sink {
  /** `stats`: the client's live counters, copied into every batch. */
  constructor(id, stats) {
    this.id = id;
    this.stats = stats;
    this.deliveries = [];
    this.pings = [];
    this.errors = {};
    this.events = [];
    this.dirty = new Set();
    this.lag = new Uint32Array(LAG_BUCKETS);
    this.lagMaxMs = 0;
    this.flushTimer = undefined;
    this.lagTimer = undefined;
    this.sentStats = '';
  }

  /** Start flushing to the host and sampling the timer lag. */
  start() {
    this.flushTimer = setInterval(() => this.flush(), FLUSH_EVERY_MS);
    let expected = performance.now() + LAG_TICK_MS;
    this.lagTimer = setInterval(() => {
      const now = performance.now();
      const lagMs = Math.max(0, now - expected);
      expected = now + LAG_TICK_MS;
      this.lag[Math.min(LAG_BUCKETS - 1, Math.round(lagMs))]++;
      if (lagMs > this.lagMaxMs) this.lagMaxMs = lagMs;
    }, LAG_TICK_MS);
  }

  stop() {
    clearInterval(this.flushTimer);
    clearInterval(this.lagTimer);
  }

  /** One new delivery (not a duplicate). */
  delivery(atMs, publishedAtMs, recovered) {
    this.deliveries.push(atMs, publishedAtMs, recovered ? 1 : 0);
  }

  pingRtt(atMs, rttMs) {
    this.pings.push(atMs, rttMs);
  }

  countError(kind) {
    this.errors[kind] = (this.errors[kind] ?? 0) + 1;
  }

  /** Keep a reconnect event (the client fills it in later and calls touch()). */
  addEvent(event) {
    if (this.events.length >= MAX_EVENTS) {
      this.countError('reconnect-events-dropped');
      return event;
    }
    this.events.push(event);
    this.dirty.add(event);
    return event;
  }

  /** An event changed: send it again with the next batch. */
  touch(event) {
    if (event && this.events.includes(event)) this.dirty.add(event);
  }

  /** Everything since the last batch; the buffers start over. */
  drain() {
    const events = [];
    for (const e of this.dirty) events.push([this.events.indexOf(e), { ...e }]);
    const batch = {
      id: this.id,
      atMs: nowMs(),
      stats: { ...this.stats },
      deliveries: this.deliveries,
      pings: this.pings,
      errors: this.errors,
      events,
      timerLag: this.lagSummary(),
    };
    this.deliveries = [];
    this.pings = [];
    this.errors = {};
    this.dirty.clear();
    return batch;
  }

  /** Send a batch to the host when there is one (and something new). */
  flush() {
    const report = window.__pushbenchReport;
    if (typeof report !== 'function') return;
    const stats = JSON.stringify(this.stats);
    const idle = !this.deliveries.length && !this.pings.length && !this.dirty.size;
    if (idle && stats === this.sentStats && !Object.keys(this.errors).length) return;
    this.sentStats = stats;
    report(this.drain()).catch(() => undefined);
  }

  lagSummary() {
    let count = 0;
    for (const n of this.lag) count += n;
    if (count === 0) return { count: 0, p99Ms: 0, maxMs: 0 };
    const target = Math.ceil(count * 0.99);
    let seen = 0;
    let p99Ms = 0;
    for (let ms = 0; ms < LAG_BUCKETS; ms++) {
      seen += this.lag[ms];
      if (seen >= target) {
        p99Ms = ms;
        break;
      }
    }
    return { count, p99Ms, maxMs: Math.round(this.lagMaxMs * 1000) / 1000 };
  }
}
