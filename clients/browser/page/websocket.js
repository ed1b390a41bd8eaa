/**
 * WebSocket the article's way, with the platform's `WebSocket`: `{"type":"ping","t"}` (form
 * 'json') or the plain-text "ping" → "pong" (form 'text') every heartbeat.intervalMs — a page
 * cannot send protocol pings, so forms 'protocol' and 'none' send nothing; no pong within heartbeat.timeoutMs → dead ('heartbeat-timeout') →
 * reconnect with `since=<highWaterSeq>`. Giving up:
 * - 'close' (the article): `ws.close()`, and the reconnect starts from `onclose` — on a dead
 *   network the close handshake cannot finish, so that wait is whatever the browser makes it;
 *   it is recorded (closeCalledAtMs → closeCompletedAtMs, close code, wasClean).
 * - 'terminate' has no browser equivalent (a page cannot abort its socket): the page calls
 *   `ws.close()`, stops listening to that socket and reconnects at once (after the backoff);
 *   the old socket's late `onclose` is still recorded on its event.
 * `onerror` times are recorded too (the platform says nothing more about an error).
 */
import { BaseClient } from './client.js';
import { nowMs } from './sink.js';

export class WebSocketClient extends BaseClient {
  constructor(config) {
    super(config);
    this.conn = undefined;
    this.timer = undefined;
    this.connectTimer = undefined;
    this.pings = [];
    this.nextPingAtMs = 0;
  }

  connect() {
    const since = this.resumeSeq();
    const base = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}`;
    const url =
      `${base}/ws?client=${encodeURIComponent(this.id)}` + (since === undefined ? '' : `&since=${since}`);
    const conn = { ws: new WebSocket(url), event: undefined, errorAtMs: undefined };
    this.conn = conn;
    const current = () => this.conn === conn;
    conn.ws.onopen = () => current() && this.startHeartbeat();
    conn.ws.onmessage = (e) => current() && this.safely(() => this.onFrame(e.data));
    conn.ws.onerror = () => this.onError(conn);
    conn.ws.onclose = (e) => this.onClose(conn, e);
    const hb = this.config.heartbeat;
    this.connectTimer = setTimeout(
      () => current() && this.state === 'connecting' && this.failed('connect-timeout', nowMs()),
      hb.intervalMs + hb.timeoutMs,
    );
  }

  /** 'close' give-up on an open socket: the reconnect waits for onclose (the article's way). */
  teardown(mode, event) {
    clearTimeout(this.timer);
    clearTimeout(this.connectTimer);
    this.pings = [];
    const conn = this.conn;
    this.conn = undefined;
    if (!conn || conn.ws.readyState === WebSocket.CLOSED) return undefined;
    conn.event = event;
    const open = conn.ws.readyState === WebSocket.OPEN;
    if (event) {
      event.closeCalledAtMs = nowMs();
      event.giveUp = mode === 'stop' ? 'stop' : this.config.heartbeat.giveUp;
      if (conn.errorAtMs !== undefined) event.errorAtMs = conn.errorAtMs;
      this.touch(event);
    }
    const waitForClose = mode === 'dead' && open && this.config.heartbeat.giveUp === 'close';
    const closed = waitForClose ? new Promise((resolve) => (conn.closed = resolve)) : undefined;
    conn.ws.close();
    return closed;
  }

  onError(conn) {
    conn.errorAtMs ??= nowMs();
    this.sink.countError('ws-onerror');
    if (conn.event) {
      conn.event.errorAtMs ??= conn.errorAtMs;
      this.touch(conn.event);
    }
  }

  /** Any socket's close: a live one is a death; a given-up one completes its event. */
  onClose(conn, e) {
    const atMs = nowMs();
    this.sink.countError(`ws-close:${e.code}`);
    if (this.conn === conn) {
      const event = this.failed(`closed:${e.code}`, atMs);
      if (event) {
        Object.assign(event, { closeCompletedAtMs: atMs, closeCode: e.code, wasClean: e.wasClean });
        if (conn.errorAtMs !== undefined) event.errorAtMs = conn.errorAtMs;
        this.touch(event);
      }
      return;
    }
    if (conn.event) {
      Object.assign(conn.event, { closeCompletedAtMs: atMs, closeCode: e.code, wasClean: e.wasClean });
      if (e.reason) conn.event.closeReason = e.reason;
      this.touch(conn.event);
    }
    conn.closed?.();
  }

  onFrame(data) {
    const atMs = nowMs();
    this.alive(atMs);
    const hb = this.config.heartbeat;
    // A text pong carries no time: it answers the oldest ping.
    if (hb.form === 'text' && data === hb.pongText) return this.onPong(this.pings[0], atMs);
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return this.sink.countError('bad-json');
    }
    if (!('type' in msg)) return this.deliver(msg, atMs);
    if (msg.type === 'hello') {
      clearTimeout(this.connectTimer);
      this.opened(msg, atMs);
    } else if (msg.type === 'pong') this.onPong(msg.t, atMs);
    else if (msg.type === 'error') this.sink.countError(`server:${msg.code}`);
    else this.sink.countError('unknown-frame');
  }

  startHeartbeat() {
    this.pings = [];
    const form = this.config.heartbeat.form;
    if (form === 'protocol' || form === 'none') return;
    this.nextPingAtMs = nowMs() + this.config.heartbeat.intervalMs;
    this.armHeartbeat();
  }

  /** One timer, set for the next ping or the oldest ping's deadline, whichever is first. */
  armHeartbeat() {
    const deadline = this.pings.length > 0 ? this.pings[0] + this.config.heartbeat.timeoutMs : Infinity;
    const dueMs = Math.min(this.nextPingAtMs, deadline);
    this.timer = setTimeout(() => this.safely(() => this.onHeartbeat()), Math.max(0, dueMs - nowMs()));
  }

  onHeartbeat() {
    const conn = this.conn;
    if (!conn) return;
    const now = nowMs();
    if (this.pings.length > 0 && now >= this.pings[0] + this.config.heartbeat.timeoutMs) {
      this.failed('heartbeat-timeout', now);
      return;
    }
    if (now >= this.nextPingAtMs) {
      const hb = this.config.heartbeat;
      conn.ws.send(hb.form === 'text' ? hb.pingText : `{"type":"ping","t":${now}}`);
      this.pings.push(now);
      this.nextPingAtMs = now + this.config.heartbeat.intervalMs;
    }
    this.armHeartbeat();
  }

  /** A pong answers its ping and every older one. */
  onPong(t, atMs) {
    if (t === undefined || this.pings.length === 0 || t < this.pings[0])
      return this.sink.countError('stray-pong');
    while (this.pings.length > 0 && this.pings[0] <= t) this.pings.shift();
    this.sink.pingRtt(atMs, atMs - t);
  }
}
