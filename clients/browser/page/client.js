/**
 * The shared part of the page's client (the twin of clients/client.ts, written for the
 * browser): subscribe point, dedupe and out-of-order counting, resume from the high-water
 * seq after any reconnect, exponential backoff with jitter, steady vs recovered, gaps, and
 * reconnect events with the fields of the Node clients' ReconnectEvent. A protocol file
 * opens connections with the platform's WebSocket / EventSource / fetch and reports through
 * opened() / deliver() / advanceTo() / alive() / failed() / browserRetrying().
 */
import { SeqWindow } from './seq-window.js';
import { nowMs, Sink } from './sink.js';

/** delay(n) = min(maxMs, initialMs × factor^n) × (1 ± jitter), like clients/backoff.ts. */
export class Backoff {
  constructor(opts) {
    this.opts = opts;
    this.attempts = 0;
  }

  next() {
    const { initialMs, factor, maxMs, jitter } = this.opts;
    const baseMs = Math.min(maxMs, initialMs * factor ** this.attempts);
    this.attempts++;
    return Math.max(0, Math.round(baseMs * (1 + jitter * (2 * Math.random() - 1))));
  }

  reset() {
    this.attempts = 0;
  }
}

/** UTF-8 length of a string without allocating (payload bytes, as Buffer.byteLength counts them). */
export function utf8Length(text) {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export class BaseClient {
  /** `config`: the PageConfig the host sends (clients/browser/types.ts). */
  constructor(config) {
    this.id = config.id;
    this.config = config;
    this.stats = {
      lastSeq: 0,
      highWaterSeq: 0,
      delivered: 0,
      recovered: 0,
      duplicates: 0,
      outOfOrder: 0,
      gapsLost: 0,
      payloadBytes: 0,
      requests: 0,
      emptyResponses: 0,
      reconnects: 0,
      connected: false,
    };
    this.sink = new Sink(config.id, this.stats);
    this.state = 'idle';
    this.window = undefined;
    this.backoff = new Backoff(config.backoff);
    this.retryTimer = undefined;
    this.lastGoodAtMs = 0;
    this.pending = undefined;
    this.recoverUpToSeq = 0;
    this.catchUp = undefined;
  }

  /** Connect (once). */
  start() {
    if (this.state !== 'idle') return;
    this.state = 'connecting';
    this.sink.start();
    this.safely(() => this.connect());
  }

  /** Close everything; returns the last batch (the host applies it). */
  stop() {
    if (this.state !== 'stopped') {
      this.state = 'stopped';
      clearTimeout(this.retryTimer);
      this.stats.connected = false;
      try {
        this.teardown('stop', undefined);
      } catch {
        this.sink.countError('client-crash');
      }
      this.sink.stop();
    }
    return this.sink.drain();
  }

  /** Resume point for the next connection: undefined before the first subscribe. */
  resumeSeq() {
    return this.stats.subscribedAfterSeq === undefined ? undefined : this.stats.highWaterSeq;
  }

  get stopped() {
    return this.state === 'stopped';
  }

  /** Epoch ms of the last byte seen (the outage of a lost connection starts after it). */
  alive(atMs) {
    this.lastGoodAtMs = atMs;
  }

  /** The hello / first answer of a connection arrived: subscribe or resume. */
  opened(info, atMs) {
    if (this.state !== 'connecting') return;
    this.alive(atMs);
    if (this.window === undefined) this.subscribe(info.lastSeq);
    else this.resumed(info, atMs);
    this.state = 'open';
    this.backoff.reset();
    this.stats.connected = true;
    this.stats.firstOpenAtMs ??= atMs;
  }

  /** A steady-state answer carrying resume info (every poll answer): liveness, gaps. */
  answer(info, atMs) {
    this.alive(atMs);
    if (this.window) this.applyResumeInfo(info);
  }

  /** An envelope arrived (any order, maybe a repeat). */
  deliver(env, atMs) {
    if (this.window === undefined) return this.sink.countError('message-before-hello');
    if (!Number.isSafeInteger(env.seq) || typeof env.t !== 'number' || typeof env.data !== 'string') {
      return this.sink.countError('bad-envelope');
    }
    if (env.to !== undefined && env.to !== this.id) return this.sink.countError('misaddressed');
    const verdict = this.window.accept(env.seq);
    const s = this.stats;
    if (verdict === 'duplicate') {
      s.duplicates++;
      return;
    }
    if (verdict === 'out-of-order') s.outOfOrder++;
    else if (env.seq > s.highWaterSeq) s.highWaterSeq = env.seq;
    s.delivered++;
    s.lastSeq = this.window.max;
    s.payloadBytes += utf8Length(env.data);
    const recovered = env.seq <= this.recoverUpToSeq;
    if (recovered) s.recovered++;
    this.sink.delivery(atMs, env.t, recovered);
    if (this.catchUp) this.checkCaughtUp(atMs);
  }

  /** Everything for this client up to `seq` was received or counted (a poll answer's lastSeq). */
  advanceTo(seq, atMs) {
    if (seq > this.stats.highWaterSeq) this.stats.highWaterSeq = seq;
    if (this.catchUp) this.checkCaughtUp(atMs);
  }

  /**
   * The connection (or the attempt) is dead: tear down, back off, reconnect. Returns the new
   * reconnect event when an open connection was lost (undefined for a failed attempt).
   */
  failed(reason, atMs) {
    if (this.state !== 'open' && this.state !== 'connecting') return undefined;
    const event = this.lose(reason, atMs);
    this.state = 'dead';
    const done = this.teardownAfterDeath(event);
    if (!done) this.scheduleRetry();
    else done.catch(() => this.sink.countError('client-crash')).finally(() => this.scheduleRetry());
    return event;
  }

  /**
   * The browser reconnects by itself (EventSource after an error, with Last-Event-ID): the
   * connection is lost but nothing is torn down and no backoff of ours runs.
   */
  browserRetrying(reason, atMs) {
    if (this.state === 'connecting' && this.pending) {
      this.pending.attempts++;
      this.sink.countError(reason);
      this.sink.touch(this.pending);
      return;
    }
    if (this.state !== 'open' && this.state !== 'connecting') return;
    const event = this.lose(reason, atMs);
    if (event) event.browserRetry = true;
    this.state = 'connecting';
  }

  /** An event changed after the fact (a late onclose): send it again. */
  touch(event) {
    this.sink.touch(event);
  }

  /** Run a callback; a throw is counted and treated as a dead connection, never a crash. */
  safely(fn) {
    try {
      fn();
    } catch (err) {
      console.error('pushbench client:', err);
      if (this.state === 'open' || this.state === 'connecting') this.failed('client-crash', nowMs());
      else this.sink.countError('client-crash');
    }
  }

  /** Mark the connection lost; an open one gets a new reconnect event (returned). */
  lose(reason, atMs) {
    const wasOpen = this.state === 'open';
    this.stats.connected = false;
    this.sink.countError(reason);
    this.catchUp = undefined;
    if (!wasOpen) return undefined;
    this.pending = this.sink.addEvent({
      client: this.id,
      reason,
      lastGoodAtMs: this.lastGoodAtMs,
      deadAtMs: atMs,
      attempts: 0,
      resumeAfterSeq: this.stats.highWaterSeq,
    });
    return this.pending;
  }

  teardownAfterDeath(event) {
    try {
      const done = this.teardown('dead', event);
      return done instanceof Promise ? done : undefined;
    } catch {
      this.sink.countError('client-crash');
      return undefined;
    }
  }

  subscribe(lastSeq) {
    this.stats.subscribedAfterSeq = lastSeq;
    this.stats.highWaterSeq = lastSeq;
    this.stats.lastSeq = lastSeq;
    this.recoverUpToSeq = lastSeq;
    this.window = new SeqWindow(lastSeq);
  }

  resumed(info, atMs) {
    const gapLost = this.applyResumeInfo(info);
    this.recoverUpToSeq = info.lastSeq;
    const event = this.pending;
    this.pending = undefined;
    if (!event) return;
    this.stats.reconnects++;
    event.openAtMs = atMs;
    if (!event.browserRetry) event.attempts = Math.max(0, this.backoff.attempts - 1);
    event.reopenLastSeq = info.lastSeq;
    if (gapLost > 0) event.gapLost = gapLost;
    this.sink.touch(event);
    this.catchUp = { seq: info.lastSeq, event };
    this.checkCaughtUp(atMs);
  }

  /** Source restarts and gaps announced by resume info; returns the seqs counted lost. */
  applyResumeInfo(info) {
    const s = this.stats;
    if (info.lastSeq < s.highWaterSeq) {
      this.sink.countError('source-reset');
      this.window.reset(info.lastSeq);
      s.highWaterSeq = info.lastSeq;
    }
    const gap = info.gap;
    if (!gap || gap.to < gap.from) return 0;
    const lost = gap.to - gap.from + 1;
    s.gapsLost += lost;
    this.window.skipTo(gap.to);
    if (gap.to > s.highWaterSeq) s.highWaterSeq = gap.to;
    return lost;
  }

  checkCaughtUp(atMs) {
    const c = this.catchUp;
    if (this.stats.highWaterSeq < c.seq) return;
    c.event.caughtUpAtMs = atMs;
    this.sink.touch(c.event);
    this.catchUp = undefined;
  }

  scheduleRetry() {
    if (this.state === 'stopped') return;
    this.state = 'backoff';
    this.retryTimer = setTimeout(() => {
      if (this.state !== 'backoff') return;
      this.state = 'connecting';
      this.safely(() => this.connect());
    }, this.backoff.next());
  }
}
