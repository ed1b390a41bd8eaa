/**
 * One proxied connection: the accepted client socket, the socket to the target, and a
 * Pipeline per direction. End of stream (FIN) and resets travel through the pipelines like
 * data, so faults delay or hide them too; the link is done when both sockets are closed.
 */
import { connect, type Socket } from 'node:net';
import { nowMs } from '../core/clock.ts';
import { Pipeline } from './pipeline.ts';
import { resetSocket } from './reset-socket.ts';
import type { NormalizedFault } from './spec.ts';
import { toxicDefinition } from './spec.ts';
import type { ConnectionControl, ConnectionStats, Direction } from './types.ts';

/** A fault as the proxy tracks it while active. */
export interface ActiveFault {
  id: number;
  fault: NormalizedFault;
  appliedAtMs: number;
}

export interface LinkOptions {
  target: { host: string; port: number };
  highWaterBytes: number;
  closeGraceMs: number;
}

const EMPTY = Buffer.alloc(0);

export class Link implements ConnectionControl {
  readonly stats: ConnectionStats;
  private server: Socket | undefined;
  private up: Pipeline | undefined;
  private down: Pipeline | undefined;
  private closing = false;
  /** The client, plus the server socket once connecting. */
  private openSockets = 1;
  private done = false;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    id: number,
    lane: string,
    private readonly client: Socket,
    private readonly opts: LinkOptions,
    private readonly onDone: (link: Link) => void,
  ) {
    this.stats = {
      id,
      lane,
      clientPort: client.remotePort ?? 0,
      openedAtMs: nowMs(),
      bytesUp: 0,
      bytesDown: 0,
    };
    client.setNoDelay(true);
    this.watch(client, () => this.up);
  }

  /** Act on connection-level faults, then (if still open) connect to the target and attach stream faults. */
  start(faults: readonly ActiveFault[]): void {
    const connectionLevel = (f: ActiveFault): boolean => toxicDefinition(f.fault.kind).scope === 'connection';
    for (const f of faults) if (connectionLevel(f)) this.attach(f);
    if (this.closing) return; // reset or closed at accept: the target never sees this connection
    const server = connect({ ...this.opts.target, allowHalfOpen: true, noDelay: true });
    this.server = server;
    this.openSockets += 1;
    this.up = new Pipeline('up', this.client, server, this.opts.highWaterBytes);
    this.down = new Pipeline('down', server, this.client, this.opts.highWaterBytes);
    this.wire(this.client, this.up, true);
    this.wire(server, this.down, false);
    this.watch(server, () => this.down);
    for (const f of faults) if (!connectionLevel(f)) this.attach(f);
  }

  /** Start a fault on this connection: reset/close act now; stream faults get a toxic per direction. */
  attach(active: ActiveFault): void {
    const def = toxicDefinition(active.fault.kind);
    if (def.scope === 'connection') {
      if (!this.done) def.act(active.fault.params, this);
      return;
    }
    if (this.closing || !this.up || !this.down) return;
    for (const pipeline of this.pipelinesFor(active.fault.direction)) {
      pipeline.add(active.id, def, active.fault.params, active.appliedAtMs);
    }
  }

  /** Stop a fault on this connection, delivering what it held. */
  detach(faultId: number): void {
    this.up?.remove(faultId);
    this.down?.remove(faultId);
  }

  /** Destroy both sides with RST. */
  reset(): void {
    if (this.done) return;
    this.enterClosing();
    resetSocket(this.client);
    if (this.server) resetSocket(this.server);
  }

  /** End both sides with FIN; read (and discard) until the peers end too, at most closeGraceMs. */
  close(): void {
    if (this.closing || this.done) return;
    this.enterClosing();
    for (const socket of [this.client, this.server]) {
      if (!socket) continue;
      socket.end();
      socket.resume();
    }
    this.graceTimer = setTimeout(() => this.destroy(), this.opts.closeGraceMs);
  }

  /** Destroy both sockets at once (proxy shutdown). */
  destroy(): void {
    this.enterClosing();
    this.client.destroy();
    this.server?.destroy();
  }

  private enterClosing(): void {
    this.closing = true;
    this.up?.clear();
    this.down?.clear();
  }

  private pipelinesFor(direction: Direction | 'both'): Pipeline[] {
    if (direction === 'up') return [this.up!];
    if (direction === 'down') return [this.down!];
    return [this.up!, this.down!];
  }

  /** Forward what `source` sends (data, then FIN) into its direction's pipeline. */
  private wire(source: Socket, pipeline: Pipeline, fromClient: boolean): void {
    source.on('data', (data: Buffer) => {
      if (fromClient) this.stats.bytesUp += data.length;
      if (!this.closing) pipeline.push({ data });
    });
    source.on('end', () => {
      if (!this.closing) pipeline.push({ data: EMPTY, eof: 'fin' });
    });
  }

  /** An error (ECONNRESET, ECONNREFUSED…) travels on as RST; a close counts down to done. */
  private watch(socket: Socket, pipeline: () => Pipeline | undefined): void {
    socket.on('error', () => {
      if (!this.closing) pipeline()?.push({ data: EMPTY, eof: 'rst' });
    });
    socket.on('close', () => {
      this.openSockets -= 1;
      this.maybeDone();
    });
  }

  private maybeDone(): void {
    if (this.done || this.openSockets > 0) return;
    this.done = true;
    this.enterClosing();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    if (this.down) this.stats.bytesDown = this.down.bytesOut;
    this.stats.closedAtMs = nowMs();
    this.onDone(this);
  }

  /** Current stats (bytesDown is live while open). */
  snapshot(): ConnectionStats {
    return { ...this.stats, bytesDown: this.down ? this.down.bytesOut : this.stats.bytesDown };
  }
}
