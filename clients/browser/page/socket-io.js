/**
 * socket.io with Socket.IO's own browser client: the ESM bundle shipped inside the npm
 * package, served by the socket.io server itself (`/socket.io/socket.io.esm.min.js`, loaded
 * once: during the page load with `?preload=socket.io`, so its ~40 KB are not counted as the
 * run's bytes, else on the first connect; pages of other protocols never fetch it). Like the Node client
 * (clients/socket-io.ts): one Manager with Socket.IO's reconnection off, our backoff
 * reconnects the same Socket (so connection state recovery can work), `auth` carries
 * `{client, since}`, detection is Socket.IO's ping timeout, and envelopes replayed before the
 * hello are held and delivered right after it, the connection open from the first of them.
 */
import { BaseClient } from './client.js';
import { nowMs } from './sink.js';

const BUNDLE = '/socket.io/socket.io.esm.min.js';
let loading;

/** Load Socket.IO's bundle (once); the page calls this during its load with `?preload=socket.io`. */
export function loadSocketIo() {
  loading ??= import(BUNDLE);
  return loading;
}

function reasonKind(reason) {
  if (reason === 'ping timeout') return 'ping-timeout';
  if (reason === 'io server disconnect') return 'closed:server';
  if (reason === 'transport close') return 'closed';
  return String(reason).replace(/\s+/g, '-');
}

export class SocketIoClient extends BaseClient {
  constructor(config) {
    super(config);
    this.manager = undefined;
    this.socket = undefined;
    this.connectTimer = undefined;
    this.early = [];
    this.helloSeen = false;
  }

  connect() {
    this.helloSeen = false;
    this.early = [];
    const s = this.config.socketio;
    this.connectTimer = setTimeout(
      () => this.state === 'connecting' && this.failed('connect-timeout', nowMs()),
      s.pingIntervalMs + s.pingTimeoutMs,
    );
    loadSocketIo().then(
      (lib) => {
        if (this.state !== 'connecting') return;
        this.safely(() => (this.socket ?? this.createSocket(lib)).connect());
      },
      () => this.failed('bundle-load-failed', nowMs()),
    );
  }

  teardown(mode) {
    clearTimeout(this.connectTimer);
    this.early = [];
    if (mode === 'stop') {
      this.socket?.disconnect();
      return undefined;
    }
    // Close the transport without a DISCONNECT packet: the server keeps the session for recovery.
    const engine = this.manager?.engine;
    if (engine && engine.readyState !== 'closed') engine.close();
    return undefined;
  }

  createSocket(lib) {
    const s = this.config.socketio;
    this.manager = new lib.Manager(location.origin, {
      path: '/socket.io/',
      reconnection: false,
      autoConnect: false,
      transports: s.transport === 'websocket' ? ['websocket'] : ['polling', 'websocket'],
      upgrade: s.transport !== 'websocket',
      timeout: s.pingIntervalMs + s.pingTimeoutMs,
      closeOnBeforeunload: false,
    });
    const socket = this.manager.socket('/', {
      auth: (cb) => {
        const since = this.resumeSeq();
        cb(since === undefined ? { client: this.id } : { client: this.id, since });
      },
    });
    this.socket = socket;
    this.manager.on('ping', () => this.alive(nowMs()));
    socket.on('hello', (hello) => this.safely(() => this.onHello(hello)));
    socket.on('envelope', (env) => this.safely(() => this.onEnvelope(env)));
    socket.on('disconnect', (reason) => this.failed(reasonKind(reason), nowMs()));
    socket.on('connect_error', () => this.failed('connect-error', nowMs()));
    return socket;
  }

  onHello(hello) {
    const atMs = this.early.length > 0 ? this.early[0][1] : nowMs();
    clearTimeout(this.connectTimer);
    this.helloSeen = true;
    this.opened(hello, atMs);
    const early = this.early;
    this.early = [];
    for (const [env, at] of early) this.deliver(env, at);
  }

  onEnvelope(env) {
    const atMs = nowMs();
    this.alive(atMs);
    if (this.helloSeen) this.deliver(env, atMs);
    else this.early.push([env, atMs]);
  }
}
