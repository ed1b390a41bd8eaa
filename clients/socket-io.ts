/**
 * socket.io with socket.io-client 4: one Manager per client (its own reconnection off: the
 * shared backoff of client.ts reconnects through `socket.connect()`, so the same Socket
 * keeps its session id and last offset and Socket.IO's connection state recovery can
 * work). The handshake `auth` carries `{ client, since }` (the envelope seq) for when it
 * cannot. `transport: websocket` connects over WebSocket only; `polling` starts with
 * HTTP long-polling and upgrades. Bytes: every TCP connection engine.io opens (polling
 * requests through xmlhttprequest-ssl, the WebSocket through ws) goes through one
 * http.Agent per client whose createConnection hands the socket to the byte meter.
 * Detection is Socket.IO's own: no server ping within pingInterval + pingTimeout →
 * 'ping-timeout'. Envelopes that arrive before the connection's `hello` (the events a
 * recovered session replays) are held and delivered right after it, with their arrival time;
 * the connection counts as open from the first of them.
 */
import http from 'node:http';
import type net from 'node:net';
import { Manager, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { nowMs } from '../core/clock.ts';
import type { Envelope, ResumeInfo } from '../core/types.ts';
import type { ByteMeter } from './bytes.ts';
import { BaseClient, type ClientConfig } from './client.ts';
import { requestHeaders } from './headers.ts';
import type { Recorder } from './metrics.ts';

interface Hello extends ResumeInfo {
  recovered?: boolean;
}

/** An http.Agent that shows every socket it opens to the client's byte meter. */
export class MeteredAgent extends http.Agent {
  constructor(private readonly meter: ByteMeter) {
    super({ keepAlive: true, maxSockets: 2 });
  }
  override createConnection(...args: Parameters<http.Agent['createConnection']>) {
    const socket = super.createConnection(...args) as net.Socket;
    this.meter.track(socket);
    return socket;
  }
}

/** Socket.IO disconnect reasons → countable kinds. */
export function reasonKind(reason: string): string {
  if (reason === 'ping timeout') return 'ping-timeout';
  if (reason === 'io server disconnect') return 'closed:server';
  if (reason === 'transport close') return 'closed';
  return reason.replace(/\s+/g, '-');
}

/**
 * What both Socket.IO clients (this one and clients/target/socket-io.ts) share: one Manager
 * and Socket per client, reconnected by the shared backoff through `socket.connect()`; every
 * TCP connection through the client's MeteredAgent; a connect timeout of pingInterval +
 * pingTimeout; a dead connection's transport closed without a DISCONNECT packet (the server
 * keeps the session for recovery); 'ping' as liveness, disconnects and connect errors as
 * failures. A subclass names the path and the handshake, and binds its own events.
 */
export abstract class SocketIoClientBase extends BaseClient {
  private readonly agent: MeteredAgent;
  private manager: Manager | undefined;
  private socket: Socket | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.agent = new MeteredAgent(this.stats.meter);
  }

  /** The Manager's engine path and the options only this client sets (perMessageDeflate). */
  protected abstract managerOptions(): Partial<ManagerOptions> & { path: string };
  /** The namespace's socket options (the handshake `auth`). */
  protected socketOptions(): Partial<SocketOptions> | undefined {
    return undefined;
  }
  /** Listen for this client's own events on a new socket. */
  protected abstract bind(socket: Socket): void;

  protected connect(): void {
    const socket = this.socket ?? this.createSocket();
    const s = this.config.socketio;
    this.connectTimer = setTimeout(
      () => this.state === 'connecting' && this.failed('connect-timeout', nowMs()),
      s.pingIntervalMs + s.pingTimeoutMs,
    );
    socket.connect();
  }

  protected teardown(mode: 'dead' | 'stop'): void {
    this.clearConnectTimer();
    if (mode === 'stop') {
      this.socket?.disconnect();
      this.agent.destroy();
      return;
    }
    // Close the transport without a DISCONNECT packet: the server keeps the session for recovery.
    const engine = this.manager?.engine;
    if (engine && engine.readyState !== 'closed') engine.close();
  }

  protected clearConnectTimer(): void {
    clearTimeout(this.connectTimer);
  }

  private createSocket(): Socket {
    const s = this.config.socketio;
    const kind = s.transport === 'websocket' ? 'ws' : 'poll';
    // Node's engine.io polling client does not decode gzip: never advertise it.
    const extraHeaders = requestHeaders(this.config.headers, kind, this.config.baseUrl);
    delete extraHeaders['Accept-Encoding'];
    this.manager = new Manager(this.config.baseUrl, {
      reconnection: false,
      autoConnect: false,
      transports: s.transport === 'websocket' ? ['websocket'] : ['polling', 'websocket'],
      upgrade: s.transport !== 'websocket',
      agent: this.agent as unknown as string,
      extraHeaders,
      timeout: s.pingIntervalMs + s.pingTimeoutMs,
      closeOnBeforeunload: false,
      ...this.managerOptions(),
    });
    const socket = this.manager.socket('/', this.socketOptions());
    this.socket = socket;
    this.manager.on('ping', () => this.alive(nowMs()));
    this.bind(socket);
    socket.on('disconnect', (reason: string) => this.failed(reasonKind(reason), nowMs()));
    socket.on('connect_error', () => this.failed('connect-error', nowMs()));
    return socket;
  }
}

export class SocketIoClient extends SocketIoClientBase {
  /** Envelopes received before this connection's hello, with their arrival time. */
  private early: Array<[Envelope, number]> = [];
  private helloSeen = false;

  protected override connect(): void {
    this.helloSeen = false;
    this.early = [];
    super.connect();
  }

  protected override teardown(mode: 'dead' | 'stop'): void {
    this.early = [];
    super.teardown(mode);
  }

  protected managerOptions() {
    return {
      path: '/socket.io/',
      // ws takes false (offer no extension); the option's type only knows the object form.
      perMessageDeflate: (this.config.perMessageDeflate ? { threshold: 1024 } : false) as {
        threshold: number;
      },
    };
  }

  protected override socketOptions() {
    return {
      auth: (cb: (data: object) => void) => {
        const since = this.resumeSeq();
        cb(since === undefined ? { client: this.id } : { client: this.id, since });
      },
    };
  }

  protected bind(socket: Socket): void {
    socket.on('hello', (hello: Hello) => this.safely(() => this.onHello(hello)));
    socket.on('envelope', (env: Envelope) => this.onEnvelope(env));
  }

  private onHello(hello: Hello): void {
    // A recovered session's replayed events came first: the connection was usable from the first of them.
    const atMs = this.early.length > 0 ? this.early[0][1] : nowMs();
    this.clearConnectTimer();
    this.helloSeen = true;
    this.opened(hello, atMs, hello.recovered ? 'recovery' : 'seq');
    const early = this.early;
    this.early = [];
    for (const [env, at] of early) this.deliver(env, at);
  }

  private onEnvelope(env: Envelope): void {
    const atMs = nowMs();
    this.alive(atMs);
    try {
      if (this.helloSeen) this.deliver(env, atMs);
      else this.early.push([env, atMs]);
    } catch {
      this.crashed();
    }
  }
}
