/**
 * Test helpers for the client tests: waiting on events / conditions with a deadline, a tiny
 * TCP forwarder that can cut every connection and refuse new ones (a server-side disconnect
 * as the client sees it), and raw test servers (ws / http) that misbehave on purpose.
 */
import type { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { WebSocketServer } from 'ws';
import { nowMs } from '../../core/clock.ts';
import type { Envelope } from '../../core/types.ts';

/** Resolve with the event's arguments when `emitter` emits `name` (and `filter` agrees); reject after timeoutMs. */
export function nextEvent<T extends unknown[]>(
  emitter: EventEmitter,
  name: string,
  timeoutMs: number,
  filter: (...args: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(name, on);
      reject(new Error(`no '${name}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (...args: unknown[]): void => {
      if (!filter(...(args as T))) return;
      clearTimeout(timer);
      emitter.off(name, on);
      resolve(args as T);
    };
    emitter.on(name, on);
  });
}

/** Poll a condition every 10 ms until it holds; reject with `what` after timeoutMs. */
export async function until(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A TCP forwarder to `targetPort`; cut() destroys every connection, setDown() refuses new ones. */
export class Forwarder {
  readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private down = false;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => this.accept(client));
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  /** Destroy every open connection (both sides). */
  cut(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** While down, new connections are closed at once. */
  setDown(down: boolean): void {
    this.down = down;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private accept(client: net.Socket): void {
    if (this.down) {
      client.destroy();
      return;
    }
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}

/** An envelope as the servers build it; `t` defaults to now. */
export function envelope(seq: number, data = `m${seq}`, t = nowMs()): Envelope {
  return { seq, t, data };
}

/** A raw ws server on port 0 (test-controlled behaviour); returns it with its http URL. */
export async function rawWsServer(): Promise<{
  wss: WebSocketServer;
  url: string;
  close: () => Promise<void>;
}> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const url = `http://127.0.0.1:${(wss.address() as net.AddressInfo).port}`;
  const close = async (): Promise<void> => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
  };
  return { wss, url, close };
}

/** A raw http server on port 0; close() destroys its open connections too. */
export async function rawHttpServer(
  handler: http.RequestListener,
): Promise<{ server: http.Server; url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { server, url, close };
}
