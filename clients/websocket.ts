/**
 * WebSocket (ws package) with an application heartbeat every heartbeat.intervalMs, in one of
 * the forms of heartbeat.form: 'json' `{"type":"ping","t"}` → `{"type":"pong","t"}`, 'text'
 * the article's plain "ping" → "pong" (pingText / pongText), 'protocol' a ping frame and its
 * pong, 'none' nothing; no pong within heartbeat.timeoutMs → dead ('heartbeat-timeout') →
 * reconnect with `since=<highWaterSeq>`. Ping RTTs are recorded.
 * Giving up on a live-looking socket: 'terminate' destroys it at once; 'close' is the
 * article's ws.close(): on a dead network the close handshake never completes, ws destroys
 * the socket only after closeTimeoutMs, and we reconnect only once 'close' has fired — that
 * wait is measured (ReconnectEvent.closeCompletedAtMs), not hidden. Connect (upgrade +
 * hello) is bounded by intervalMs + timeoutMs, the same budget as a heartbeat.
 */
import net from 'node:net';
import WebSocket from 'ws';
import { nowMs } from '../core/clock.ts';
import type { ControlMessage, Envelope } from '../core/types.ts';
import { BaseClient, type ClientConfig } from './client.ts';
import { requestHeaders } from './headers.ts';
import { errorKind, parseJson } from './http.ts';
import type { Recorder } from './metrics.ts';

export class WebSocketClient extends BaseClient {
  private readonly wsBase: string;
  private readonly headers: Record<string, string>;
  private ws: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  /** Send times (= their `t`) of pings not answered yet, oldest first. */
  private pings: number[] = [];
  private nextPingAtMs = 0;
  /** form 'text': the pong's length in bytes (a cheap check before decoding a frame). */
  private readonly pongBytes: number;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    const u = new URL(config.baseUrl);
    this.wsBase = `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`;
    this.headers = requestHeaders(config.headers, 'ws', config.baseUrl);
    this.pongBytes = Buffer.byteLength(config.heartbeat.pongText, 'utf8');
  }

  protected connect(): void {
    const hb = this.config.heartbeat;
    // closeTimeout exists in ws 8 (default 30 s) but not in @types/ws.
    const options: WebSocket.ClientOptions & { closeTimeout: number } = {
      perMessageDeflate: this.config.perMessageDeflate === true,
      headers: this.headers,
      closeTimeout: hb.closeTimeoutMs,
      // Our own connect so the meter sees the socket from its first byte (failed handshakes count too).
      createConnection: ((opts: net.NetConnectOpts) => {
        const socket = net.connect(opts);
        this.stats.meter.track(socket);
        return socket;
      }) as typeof net.createConnection,
    };
    const ws = new WebSocket(this.url(), this.subprotocols(), options);
    this.ws = ws;
    const current = (): boolean => this.ws === ws;
    ws.on('open', () => current() && this.onOpen());
    ws.on('message', (data: Buffer) => {
      if (this.ws === ws) this.onFrameSafely(data);
    });
    if (hb.form === 'protocol') ws.on('pong', () => current() && this.onPong(this.pings[0], nowMs()));
    ws.on('unexpected-response', (req, res) => {
      res.resume();
      req.destroy();
      if (current()) this.failed(`http-${res.statusCode}`, nowMs());
    });
    ws.on('error', (err) => current() && this.failed(errorKind(err), nowMs()));
    ws.on('close', (code: number) => current() && this.failed(`closed:${code}`, nowMs()));
    this.connectTimer = setTimeout(
      () => current() && this.state === 'connecting' && this.failed('connect-timeout', nowMs()),
      hb.intervalMs + hb.timeoutMs,
    );
  }

  protected teardown(mode: 'dead' | 'stop'): void | Promise<void> {
    clearTimeout(this.timer);
    clearTimeout(this.connectTimer);
    this.pings = [];
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    if (mode === 'stop' || this.config.heartbeat.giveUp === 'terminate' || ws.readyState !== WebSocket.OPEN) {
      ws.terminate();
      return;
    }
    return new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'heartbeat timeout');
    });
  }

  /** Subprotocols to request (none for pushbench's server). */
  protected subprotocols(): string[] {
    return [];
  }

  /** The upgrade completed (pushbench's server then sends its hello). */
  protected onOpen(): void {
    this.startHeartbeat();
  }

  protected url(): string {
    const since = this.resumeSeq();
    const id = encodeURIComponent(this.id);
    if (this.config.wsPath === 'websocket') {
      return `${this.wsBase}/websocket/${id}` + (since === undefined ? '' : `?since=${since}`);
    }
    return `${this.wsBase}/ws?client=${id}` + (since === undefined ? '' : `&since=${since}`);
  }

  /** safely(() => onFrame(data)) without a closure per message (this is the hot path). */
  private onFrameSafely(data: Buffer): void {
    try {
      this.onFrame(data);
    } catch {
      this.crashed();
    }
  }

  private onFrame(data: Buffer): void {
    const atMs = nowMs();
    this.alive(atMs);
    const hb = this.config.heartbeat;
    if (hb.form === 'text' && data.length === this.pongBytes && data.toString('utf8') === hb.pongText) {
      // A text pong carries no time: it answers the oldest ping.
      this.onPong(this.pings[0], atMs);
      return;
    }
    this.onText(data.toString('utf8'), atMs);
  }

  /** A frame that is not the text heartbeat's pong: pushbench's wire (docs/wire.md). */
  protected onText(text: string, atMs: number): void {
    const msg = parseJson<Envelope | ControlMessage>(text);
    if (msg === undefined) {
      this.recorder.countError('bad-json');
      return;
    }
    if (!('type' in msg)) {
      this.deliver(msg, atMs);
      return;
    }
    switch (msg.type) {
      case 'hello':
        clearTimeout(this.connectTimer);
        this.opened(msg, atMs);
        break;
      case 'pong':
        this.onPong(msg.t, atMs);
        break;
      case 'error':
        this.recorder.countError(`server:${msg.code}`);
        break;
      default:
        this.recorder.countError('unknown-frame');
    }
  }

  private startHeartbeat(): void {
    this.pings = [];
    if (this.config.heartbeat.form === 'none') return;
    this.nextPingAtMs = nowMs() + this.config.heartbeat.intervalMs;
    this.armHeartbeat();
  }

  /** One timer per client, set for the next ping or the oldest ping's deadline, whichever is first. */
  private armHeartbeat(): void {
    const deadline = this.pings.length > 0 ? this.pings[0] + this.config.heartbeat.timeoutMs : Infinity;
    const dueMs = Math.min(this.nextPingAtMs, deadline);
    this.timer = setTimeout(() => this.safely(() => this.onHeartbeat()), Math.max(0, dueMs - nowMs()));
  }

  private onHeartbeat(): void {
    const ws = this.ws;
    if (!ws) return;
    const now = nowMs();
    if (this.pings.length > 0 && now >= this.pings[0] + this.config.heartbeat.timeoutMs) {
      this.failed('heartbeat-timeout', now);
      return;
    }
    if (now >= this.nextPingAtMs) {
      this.sendPing(ws, now);
      this.pings.push(now);
      this.nextPingAtMs = now + this.config.heartbeat.intervalMs;
    }
    this.armHeartbeat();
  }

  private sendPing(ws: WebSocket, now: number): void {
    const hb = this.config.heartbeat;
    if (hb.form === 'text') ws.send(hb.pingText);
    else if (hb.form === 'protocol') ws.ping();
    else ws.send(`{"type":"ping","t":${now}}`);
  }

  /** A pong answers its ping and every older one. */
  private onPong(t: number | undefined, atMs: number): void {
    if (t === undefined || this.pings.length === 0 || t < this.pings[0]) {
      this.recorder.countError('stray-pong');
      return;
    }
    while (this.pings.length > 0 && this.pings[0] <= t) this.pings.shift();
    this.recorder.recordPingRtt(atMs, atMs - t);
  }
}
