/**
 * Socket-level byte counting for one simulated client: every socket it opens is
 * tracked once (keep-alive reuse does not double count); a closed socket's final
 * bytesRead / bytesWritten are added at its 'close', live sockets are read on demand.
 * So HTTP headers, WS framing, SSE framing, heartbeats and empty polls all count.
 */
import type { Socket } from 'node:net';

export interface ByteTotals {
  /** Server → client: socket bytesRead. */
  inBytes: number;
  /** Client → server: socket bytesWritten. */
  outBytes: number;
}

export class ByteMeter {
  private readonly live = new Set<Socket>();
  private readonly seen = new WeakSet<Socket>();
  private closedIn = 0;
  private closedOut = 0;
  private waiters: Array<() => void> = [];

  /** Start counting a socket (idempotent: a reused keep-alive socket is counted once). */
  track(socket: Socket): void {
    if (this.seen.has(socket)) return;
    this.seen.add(socket);
    if (socket.closed) {
      this.addClosed(socket);
      return;
    }
    this.live.add(socket);
    socket.once('close', () => {
      if (!this.live.delete(socket)) return;
      this.addClosed(socket);
      if (this.live.size === 0) this.flushWaiters();
    });
  }

  /** Bytes so far: closed sockets plus the current counters of live ones. */
  totals(): ByteTotals {
    let inBytes = this.closedIn;
    let outBytes = this.closedOut;
    for (const s of this.live) {
      inBytes += s.bytesRead;
      outBytes += s.bytesWritten;
    }
    return { inBytes, outBytes };
  }

  /** Sockets not closed yet. */
  get openSockets(): number {
    return this.live.size;
  }

  /** Destroy every live socket; resolves when all have closed (or after timeoutMs). */
  destroyAll(timeoutMs = 2_000): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        // A socket that never fires 'close' still has its final counters: take them now.
        for (const s of this.live) this.addClosed(s);
        this.live.clear();
        this.flushWaiters();
      }, timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    for (const s of this.live) s.destroy();
    return done;
  }

  private addClosed(socket: Socket): void {
    this.closedIn += socket.bytesRead;
    this.closedOut += socket.bytesWritten;
  }

  private flushWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
