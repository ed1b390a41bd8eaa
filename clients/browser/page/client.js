/**
 * The shared part of the page's client: the state machine, backoff and reconnect events with
 * the fields of the Node clients' ReconnectEvent (the twin of clients/client.ts's). The delivery
 * rules (subscribe point, dedupe, out-of-order, steady vs recovered, gaps, resume point,
 * catch-up) and the backoff delays are the client core's, bundled from clients/core/ into
 * ./core.js when the server starts (docs/clients.md, "One delivery core"). A protocol file
 * opens connections with the platform's WebSocket / EventSource / fetch and reports through
 * opened() / deliver() / advanceTo() / alive() / failed() / browserRetrying().
 */
import { Backoff, DeliveryCore, utf8Length } from './core.js';
import { nowMs, Sink } from './sink.js';

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
    this.core = new DeliveryCore(config.id, this.stats, {
      byteLength: utf8Length,
      countError: (kind) => this.sink.countError(kind),
      caughtUp: (event, atMs) => {
        event.caughtUpAtMs = atMs;
        this.sink.touch(event);
      },
    });
    this.backoff = new Backoff(config.backoff);
    this.retryTimer = undefined;
    this.lastGoodAtMs = 0;
    this.pending = undefined;
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
    return this.core.resumeSeq();
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
    const { resumed, gapLost } = this.core.open(info);
    if (resumed) this.resumed(info, gapLost, atMs);
    this.state = 'open';
    this.backoff.reset();
    this.stats.connected = true;
    this.stats.firstOpenAtMs ??= atMs;
  }

  /** A steady-state answer carrying resume info (every poll answer): liveness, gaps. */
  answer(info, atMs) {
    this.alive(atMs);
    this.core.answer(info);
  }

  /** An envelope arrived (any order, maybe a repeat). */
  deliver(env, atMs) {
    const verdict = this.core.deliver(env, atMs);
    if (verdict === 'steady' || verdict === 'recovered')
      this.sink.delivery(atMs, env.t, verdict === 'recovered');
  }

  /** Everything for this client up to `seq` was received or counted (a poll answer's lastSeq). */
  advanceTo(seq, atMs) {
    this.core.advanceTo(seq, atMs);
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
    const resumeAfterSeq = this.core.lost();
    if (!wasOpen) return undefined;
    this.pending = this.sink.addEvent({
      client: this.id,
      reason,
      lastGoodAtMs: this.lastGoodAtMs,
      deadAtMs: atMs,
      attempts: 0,
      resumeAfterSeq,
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

  /** A lost connection's replacement opened: complete its reconnect event. */
  resumed(info, gapLost, atMs) {
    const event = this.pending;
    this.pending = undefined;
    if (!event) return;
    this.stats.reconnects++;
    event.openAtMs = atMs;
    if (!event.browserRetry) event.attempts = Math.max(0, this.backoff.attempts - 1);
    event.reopenLastSeq = info.lastSeq;
    if (gapLost > 0) event.gapLost = gapLost;
    this.sink.touch(event);
    this.core.awaitCatchUp(info, event, atMs);
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
