/**
 * Polling with the platform's `fetch`, each request bounded by an AbortController timer.
 * short-poll: GET /poll every pollIntervalMs on a fixed schedule (slots at the host's
 * pollPhaseMs + k × interval, else anchored at the first poll; requests never overlap), timeout pollTimeoutMs. long-poll: GET /long-poll again as
 * soon as an answer arrives, timeout wait + longPollMarginMs; opening (subscribe and every
 * resume) uses wait=0 so the reopen is answered at once. A failed request (network error,
 * timeout, non-200, bad body) is a dead connection: backoff, then the first answer is the reopen.
 * The browser keeps its connections alive and pools them; the page cannot choose its socket.
 */
import { BaseClient } from './client.js';
import { nowMs } from './sink.js';

class PollingClient extends BaseClient {
  constructor(config) {
    super(config);
    this.inflight = undefined;
  }

  teardown() {
    const req = this.inflight;
    this.inflight = undefined;
    req?.abort();
  }

  /** GET `path` with a timeout; the answer goes to answered() unless the request was torn down. */
  get(path, timeoutMs) {
    const since = this.resumeSeq();
    const query = `client=${encodeURIComponent(this.id)}` + (since === undefined ? '' : `&since=${since}`);
    const url = `${path}${path.includes('?') ? '&' : '?'}${query}`;
    const ctrl = new AbortController();
    const req = { abort: () => ctrl.abort(), timedOut: false };
    this.inflight = req;
    const timer = setTimeout(() => {
      req.timedOut = true;
      ctrl.abort();
    }, timeoutMs);
    this.stats.requests++;
    fetch(url, { signal: ctrl.signal, cache: 'no-store' })
      .then(async (res) => {
        if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { kind: `http-${res.status}` });
        const body = await res.json().catch(() => undefined);
        if (!body || !Array.isArray(body.messages))
          throw Object.assign(new Error('bad body'), { kind: 'bad-body' });
        return body;
      })
      .then(
        (body) => this.inflight === req && this.safely(() => this.answered(body)),
        (err) =>
          this.inflight === req &&
          this.failed(req.timedOut ? 'timeout' : (err.kind ?? 'fetch-failed'), nowMs()),
      )
      .finally(() => clearTimeout(timer));
  }

  answered(body) {
    this.inflight = undefined;
    const atMs = nowMs();
    if (body.messages.length === 0) this.stats.emptyResponses++;
    if (this.state === 'connecting') this.opened(body, atMs);
    else this.answer(body, atMs);
    for (const env of body.messages) this.deliver(env, atMs);
    this.advanceTo(body.lastSeq, atMs);
    if (!this.stopped) this.next();
  }
}

export class ShortPollClient extends PollingClient {
  constructor(config) {
    super(config);
    this.anchorMs = undefined;
    this.nextTimer = undefined;
  }

  connect() {
    this.anchorMs ??= nowMs();
    this.get('/poll', this.config.pollTimeoutMs);
  }

  teardown() {
    clearTimeout(this.nextTimer);
    super.teardown();
  }

  next() {
    const now = nowMs();
    const intervalMs = this.config.pollIntervalMs;
    // The host gives each page its own phase (epoch ms modulo the interval), like the Node clients.
    const anchor = this.config.pollPhaseMs ?? this.anchorMs;
    const slot = Math.floor((now - anchor) / intervalMs) + 1;
    this.nextTimer = setTimeout(
      () => this.safely(() => this.get('/poll', this.config.pollTimeoutMs)),
      anchor + slot * intervalMs - now,
    );
  }
}

export class LongPollClient extends PollingClient {
  connect() {
    this.request(0);
  }

  request(waitMs) {
    this.get(`/long-poll?wait=${waitMs}`, waitMs + this.config.longPollMarginMs);
  }

  next() {
    this.request(this.config.longPollWaitMs);
  }
}
