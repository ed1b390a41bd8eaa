/**
 * Socket-level byte accounting per protocol: every connection's `bytesWritten` /
 * `bytesRead` deltas (so HTTP headers, chunked framing, WS frames and handshakes
 * count). A socket is attributed to the protocol of the request it is serving;
 * its bytes are settled when that response ends and when the socket closes, and
 * sockets still open are read live when stats are taken.
 */
import type { Socket } from 'node:net';
import type { ProtocolName } from '../core/types.ts';

interface Tracked {
  socket: Socket;
  protocol: ProtocolName | null;
  written: number;
  read: number;
}

export interface ByteTotals {
  bytesSent: number;
  bytesReceived: number;
}

export class ByteMeter {
  private readonly bySocket = new WeakMap<Socket, Tracked>();
  private readonly live = new Set<Tracked>();
  private readonly totals = new Map<ProtocolName, ByteTotals>();
  /** The 'close' listener of every tracked socket (`this` is the socket). */
  private readonly onSocketClose = socketCloseListener(this);

  /** A request for `protocol` (null: not a protocol route) starts on this socket. */
  claim(socket: Socket, protocol: ProtocolName | null): void {
    let t = this.bySocket.get(socket);
    if (!t) {
      t = { socket, protocol, written: 0, read: 0 };
      this.bySocket.set(socket, t);
      this.live.add(t);
      // One shared listener for every socket ('close' fires once): no closure per connection.
      socket.on('close', this.onSocketClose);
    }
    // Bytes read since the last settle are this request's head: they go to its protocol.
    t.protocol = protocol;
  }

  /** The response on this socket ended: book its bytes. */
  settleSocket(socket: Socket): void {
    const t = this.bySocket.get(socket);
    if (t) this.settle(t);
  }

  /** Totals for a protocol, including bytes of connections still open. */
  totalsFor(protocol: ProtocolName): ByteTotals {
    const booked = this.totals.get(protocol) ?? { bytesSent: 0, bytesReceived: 0 };
    const out = { ...booked };
    for (const t of this.live) {
      if (t.protocol !== protocol) continue;
      out.bytesSent += (t.socket.bytesWritten ?? t.written) - t.written;
      out.bytesReceived += t.socket.bytesRead - t.read;
    }
    return out;
  }

  /** Open sockets currently attributed to a protocol. */
  connections(protocol: ProtocolName): number {
    let n = 0;
    for (const t of this.live) if (t.protocol === protocol) n++;
    return n;
  }

  /** Every socket still open (shutdown destroys the stragglers). */
  sockets(): Socket[] {
    return [...this.live].map((t) => t.socket);
  }

  /** A tracked socket closed: book its last bytes and stop tracking it. */
  socketClosed(socket: Socket): void {
    const t = this.bySocket.get(socket);
    if (!t || !this.live.delete(t)) return;
    this.settle(t);
  }

  private settle(t: Tracked): void {
    const written = t.socket.bytesWritten ?? t.written;
    const read = t.socket.bytesRead;
    if (t.protocol) {
      let booked = this.totals.get(t.protocol);
      if (!booked) {
        booked = { bytesSent: 0, bytesReceived: 0 };
        this.totals.set(t.protocol, booked);
      }
      booked.bytesSent += written - t.written;
      booked.bytesReceived += read - t.read;
    }
    t.written = written;
    t.read = read;
  }
}

function socketCloseListener(meter: ByteMeter): (this: Socket) => void {
  return function (this: Socket) {
    meter.socketClosed(this);
  };
}
