/**
 * Test helpers for the fault proxy: a target server that hands out its accepted sockets,
 * client connections, exact-byte reads, and one cleanup list for afterEach.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { FaultProxy, type FaultProxyOptions } from '../../network/proxy.ts';

/** A target on 127.0.0.1:0; accepted() resolves with the next accepted socket. */
export interface Target {
  port: number;
  server: Server;
  accepted(): Promise<Socket>;
  count(): number;
}

/** Everything a test opened, closed in afterEach. */
export class Resources {
  private readonly closers: Array<() => Promise<void> | void> = [];

  add(close: () => Promise<void> | void): void {
    this.closers.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }

  /** A target server (allowHalfOpen, like a real HTTP server socket that we control). */
  async target(): Promise<Target> {
    const sockets: Socket[] = [];
    const waiting: Array<(s: Socket) => void> = [];
    const queued: Socket[] = [];
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      socket.on('error', () => {});
      sockets.push(socket);
      const next = waiting.shift();
      if (next) next(socket);
      else queued.push(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.add(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    return {
      port: address.port,
      server,
      accepted: () => {
        const s = queued.shift();
        return s ? Promise.resolve(s) : new Promise<Socket>((resolve) => waiting.push(resolve));
      },
      count: () => sockets.length,
    };
  }

  /** A proxy in front of `target`; lane 'main' opened; returns the proxy and that lane's port. */
  async proxy(
    target: Target,
    opts: Partial<FaultProxyOptions> = {},
  ): Promise<{ proxy: FaultProxy; port: number }> {
    const proxy = new FaultProxy({ target: { host: '127.0.0.1', port: target.port }, ...opts });
    this.add(() => proxy.close());
    return { proxy, port: await proxy.lane('main') };
  }

  /** A connected client socket to `port` (allowHalfOpen so tests can observe half-closes). */
  async client(port: number): Promise<Socket> {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true, noDelay: true });
    socket.on('error', () => {});
    this.add(() => {
      socket.destroy();
    });
    await once(socket, 'connect');
    return socket;
  }

  /** A client through the proxy and the target-side socket it produced. */
  async pair(port: number, target: Target): Promise<{ client: Socket; server: Socket }> {
    const [client, server] = await Promise.all([this.client(port), target.accepted()]);
    return { client, server };
  }
}

/** Resolve with exactly `n` bytes read from `socket` (rejects on end/close before that). */
export function readExactly(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let got = 0;
    const onData = (data: Buffer): void => {
      parts.push(data);
      got += data.length;
      if (got >= n) {
        cleanup();
        resolve(Buffer.concat(parts));
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(new Error(`stream ended after ${got} of ${n} bytes`));
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
  });
}

/** Records what a socket saw: bytes, end, close, error code. */
export function observe(socket: Socket): {
  bytes: number;
  ended: boolean;
  closed: boolean;
  errorCode?: string;
} {
  const seen: { bytes: number; ended: boolean; closed: boolean; errorCode?: string } = {
    bytes: 0,
    ended: false,
    closed: false,
  };
  socket.on('data', (d: Buffer) => {
    seen.bytes += d.length;
  });
  socket.on('end', () => {
    seen.ended = true;
  });
  socket.on('close', () => {
    seen.closed = true;
  });
  socket.on('error', (err: NodeJS.ErrnoException) => {
    seen.errorCode = err.code;
  });
  return seen;
}

/** Resolve with the error code a socket reports (or 'close' if it closes without one). */
export function nextErrorOrClose(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    socket.once('close', () => setImmediate(() => resolve('close')));
  });
}

/** Wait `ms` (used only to let a fault prove that nothing happens during it). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `check` every 10 ms until true, or fail after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Make a target-side socket echo what it reads. */
export function echo(server: Socket): void {
  server.on('data', (d: Buffer) => server.write(d));
}

/** One round trip of `sizeBytes` through an echoing peer, in ms. */
export async function pingMs(client: Socket, sizeBytes = 1): Promise<number> {
  const started = performance.now();
  const reply = readExactly(client, sizeBytes);
  client.write(Buffer.alloc(sizeBytes, 0x61));
  await reply;
  return performance.now() - started;
}

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
