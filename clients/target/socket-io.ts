/**
 * Socket.IO 4 to a target (docs/targets.md, profile socket.io): socket-io-client with the
 * target's engine path, messages as one event (`target.event`) whose first argument — an object,
 * or JSON text — is read through the JSON pointers. Open at `connect` (no hello). Detection is
 * Socket.IO's own ping timeout (the server's pingInterval + pingTimeout); a dead connection's
 * transport is closed without a DISCONNECT packet and the same Socket reconnects through the
 * shared backoff, so a server with connectionStateRecovery can recover the session (recorded as
 * resumedBy 'recovery'); otherwise what was missed is counted lost. Bytes at the socket through
 * the same metered agent as clients/socket-io.ts. socket.io-client emits a recovered session's
 * missed events before `connect`: the first of them opens the connection.
 */
import { Manager, type Socket } from 'socket.io-client';
import { nowMs } from '../../core/clock.ts';
import { BaseClient, type ClientConfig, type TargetClientConfig } from '../client.ts';
import { requestHeaders } from '../headers.ts';
import type { Recorder } from '../metrics.ts';
import { MeteredAgent, reasonKind } from '../socket-io.ts';
import { MessageReader } from './message.ts';

export class TargetSocketIoClient extends BaseClient {
  private readonly spec: TargetClientConfig;
  private readonly reader: MessageReader;
  private readonly agent: MeteredAgent;
  private manager: Manager | undefined;
  private socket: Socket | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.spec = config.target!;
    this.reader = new MessageReader(this.spec.message);
    this.agent = new MeteredAgent(this.stats.meter);
  }

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
    clearTimeout(this.connectTimer);
    if (mode === 'stop') {
      this.socket?.disconnect();
      this.agent.destroy();
      return;
    }
    const engine = this.manager?.engine;
    if (engine && engine.readyState !== 'closed') engine.close();
  }

  private createSocket(): Socket {
    const s = this.config.socketio;
    const kind = s.transport === 'websocket' ? 'ws' : 'poll';
    const extraHeaders = requestHeaders(this.config.headers, kind, this.config.baseUrl);
    delete extraHeaders['Accept-Encoding'];
    this.manager = new Manager(this.config.baseUrl, {
      path: this.spec.path,
      reconnection: false,
      autoConnect: false,
      transports: s.transport === 'websocket' ? ['websocket'] : ['polling', 'websocket'],
      upgrade: s.transport !== 'websocket',
      agent: this.agent as unknown as string,
      extraHeaders,
      timeout: s.pingIntervalMs + s.pingTimeoutMs,
      closeOnBeforeunload: false,
    });
    const socket = this.manager.socket('/');
    this.socket = socket;
    this.manager.on('ping', () => this.alive(nowMs()));
    socket.on('connect', () => this.onConnect(socket, nowMs()));
    socket.on(this.spec.event ?? 'message', (msg: unknown) => this.onMessage(socket, msg));
    socket.on('disconnect', (reason: string) => this.failed(reasonKind(reason), nowMs()));
    socket.on('connect_error', () => this.failed('connect-error', nowMs()));
    return socket;
  }

  /** Open (once per connection). */
  private onConnect(socket: Socket, atMs: number): void {
    clearTimeout(this.connectTimer);
    this.openedTarget(atMs, socket.recovered ? 'recovery' : undefined);
  }

  private onMessage(socket: Socket, msg: unknown): void {
    const atMs = nowMs();
    // A recovered session's missed events are emitted before 'connect': they open the connection.
    if (this.state === 'connecting') this.onConnect(socket, atMs);
    this.alive(atMs);
    try {
      const env = typeof msg === 'string' ? this.reader.read(msg) : this.reader.readValue(msg);
      if (env === undefined) {
        this.recorder.countErrorWithSample(
          'unparsed',
          typeof msg === 'string' ? msg : (JSON.stringify(msg) ?? String(msg)),
        );
      } else this.deliver(env, atMs);
    } catch {
      this.crashed();
    }
  }
}
