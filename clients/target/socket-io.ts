/**
 * Socket.IO 4 to a target (docs/targets.md, profile socket.io): socket-io-client with the
 * target's engine path, messages as one event (`target.event`) whose first argument — an object,
 * or JSON text — is read through the JSON pointers. Open at `connect` (no hello). Detection is
 * Socket.IO's own ping timeout (the server's pingInterval + pingTimeout); a dead connection's
 * transport is closed without a DISCONNECT packet and the same Socket reconnects through the
 * shared backoff, so a server with connectionStateRecovery can recover the session (recorded as
 * resumedBy 'recovery'); otherwise what was missed is counted lost. The Manager, the metered
 * agent (bytes at the socket), the connect timeout and the teardown are clients/socket-io.ts's
 * SocketIoClientBase. socket.io-client emits a recovered session's missed events before
 * `connect`: the first of them opens the connection.
 */
import type { Socket } from 'socket.io-client';
import { nowMs } from '../../core/clock.ts';
import type { ClientConfig, TargetClientConfig } from '../client.ts';
import type { Recorder } from '../metrics.ts';
import { SocketIoClientBase } from '../socket-io.ts';
import { MessageReader } from './message.ts';

export class TargetSocketIoClient extends SocketIoClientBase {
  private readonly spec: TargetClientConfig;
  private readonly reader: MessageReader;

  constructor(config: ClientConfig, recorder: Recorder) {
    super(config, recorder);
    this.spec = config.target!;
    this.reader = new MessageReader(this.spec.message);
  }

  protected managerOptions() {
    return { path: this.spec.path };
  }

  protected bind(socket: Socket): void {
    socket.on('connect', () => this.onConnect(socket, nowMs()));
    socket.on(this.spec.event ?? 'message', (msg: unknown) => this.onMessage(socket, msg));
  }

  /** Open (once per connection). */
  private onConnect(socket: Socket, atMs: number): void {
    this.clearConnectTimer();
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
