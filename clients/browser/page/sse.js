/**
 * Server-Sent Events with the platform's `EventSource`. After a network error the browser
 * reconnects by itself (after the server's `retry:`, sending `Last-Event-ID`): the page lets
 * it, and records the loss and the reopen ('hello') as a reconnect event (browserRetry).
 * EventSource has no heartbeat and hides the server's keep-alive comments from the page, so
 * the page adds the watchdog our Node client has: no event for sseIdleFactor × sseKeepAliveMs
 * → dead ('idle-timeout') → es.close() and a new EventSource with `since=<highWaterSeq>`
 * after our backoff. The same budget bounds a connect. The watchdog stands down once the run's
 * source has stopped (config.sourceEndsAtMs) on a stream that was alive until then. The
 * browser's own later retries of such an EventSource repeat that `since` (it wins over
 * Last-Event-ID on the server), so they may bring duplicates, which are counted and dropped.
 */
import { BaseClient } from './client.js';
import { nowMs } from './sink.js';

export class SseClient extends BaseClient {
  constructor(config) {
    super(config);
    this.es = undefined;
    this.idleMs = config.sseIdleFactor * config.sseKeepAliveMs;
    this.idleTimer = undefined;
    this.lastEventAtMs = 0;
  }

  connect() {
    const since = this.resumeSeq();
    const url = `/sse?client=${encodeURIComponent(this.id)}` + (since === undefined ? '' : `&since=${since}`);
    const es = new EventSource(url);
    this.es = es;
    const current = () => this.es === es;
    es.addEventListener('hello', (e) => current() && this.safely(() => this.onHello(e.data)));
    es.onmessage = (e) => current() && this.safely(() => this.onMessage(e.data));
    es.onerror = () => current() && this.onError(es);
    this.lastEventAtMs = nowMs();
    clearTimeout(this.idleTimer);
    this.armIdle(this.idleMs);
  }

  teardown() {
    clearTimeout(this.idleTimer);
    const es = this.es;
    this.es = undefined;
    es?.close();
  }

  onHello(data) {
    const atMs = this.seen();
    this.opened(JSON.parse(data), atMs);
  }

  onMessage(data) {
    const atMs = this.seen();
    this.deliver(JSON.parse(data), atMs);
  }

  /** CONNECTING: the browser retries by itself; CLOSED: it gave up (bad status or type), ours to retry. */
  onError(es) {
    const atMs = nowMs();
    if (es.readyState === EventSource.CLOSED) this.failed('sse-error-closed', atMs);
    else this.browserRetrying('sse-error', atMs);
  }

  seen() {
    const atMs = nowMs();
    this.lastEventAtMs = atMs;
    this.alive(atMs);
    return atMs;
  }

  /** The source has stopped and the stream was alive until then: its silence is not a death. */
  quietEnd() {
    const endMs = this.config.sourceEndsAtMs ?? Infinity;
    return nowMs() >= endMs && this.lastEventAtMs >= endMs - this.idleMs;
  }

  /** One timer, re-armed lazily: no clearTimeout/setTimeout per event. */
  armIdle(delayMs) {
    this.idleTimer = setTimeout(() => {
      if (!this.es || this.quietEnd()) return;
      const silentMs = nowMs() - this.lastEventAtMs;
      if (silentMs >= this.idleMs) this.failed('idle-timeout', nowMs());
      else this.armIdle(this.idleMs - silentMs);
    }, delayMs);
  }
}
