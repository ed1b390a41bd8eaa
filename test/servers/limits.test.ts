import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import type { RunningServer } from '../../servers/app.ts';
import { getJson, testServer, WsPeer, waitUntil } from './helpers.ts';

/** A raw client: everything the server sends, and when it closed. */
class RawClient {
  readonly socket: net.Socket;
  text = '';
  closedAt: number | undefined;
  readonly closed: Promise<void>;
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (d: string) => {
      this.text += d;
    });
    this.socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.closedAt = Date.now();
        resolve();
      }),
    );
  }
  connected(): Promise<void> {
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }
  status(): number {
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(this.text)?.[1] ?? 0);
  }
  body(): { error: { code: string; message: string } } {
    return JSON.parse(this.text.slice(this.text.indexOf('\r\n\r\n') + 4));
  }
}

describe('request timeouts and the connection limit', () => {
  const servers: RunningServer[] = [];
  const clients: RawClient[] = [];
  after(async () => {
    for (const c of clients) c.socket.destroy();
    await Promise.all(servers.map((s) => s.close()));
  });

  test('a body trickled 1 byte per 300 ms gets 408 PB_REQUEST_TIMEOUT after requestTimeoutMs, then the connection closes', async () => {
    const server = await testServer({ requestTimeoutMs: 1_000 });
    servers.push(server);
    const c = new RawClient(server.port);
    clients.push(c);
    await c.connected();
    const started = Date.now();
    c.socket.write(
      'POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{',
    );
    const drip = setInterval(() => c.socket.writable && c.socket.write(' '), 300);
    try {
      await Promise.race([
        c.closed,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`still open after 5 s: ${c.text}`)), 5_000),
        ),
      ]);
    } finally {
      clearInterval(drip);
    }
    const tookMs = (c.closedAt ?? 0) - started;
    assert.equal(c.status(), 408, c.text);
    assert.equal(c.body().error.code, 'PB_REQUEST_TIMEOUT');
    assert.ok(tookMs >= 900 && tookMs < 3_000, `closed after ${tookMs} ms`);
    // The server keeps serving.
    assert.equal((await getJson(`${server.url}/stats`)).status, 200);
  });

  test('a long-poll held longer than requestTimeoutMs is answered normally (the timeout covers receiving only)', async () => {
    const server = await testServer({ requestTimeoutMs: 500 });
    servers.push(server);
    const started = Date.now();
    const r = await getJson(`${server.url}/long-poll?since=0&wait=1500`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.messages, []);
    assert.ok(Date.now() - started >= 1_400, 'held for its wait');
  });

  test('headers that never finish get 408 too', async () => {
    const server = await testServer({ requestTimeoutMs: 500 });
    servers.push(server);
    const c = new RawClient(server.port);
    clients.push(c);
    await c.connected();
    c.socket.write('GET /poll HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    await Promise.race([
      c.closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 4 s')), 4_000)),
    ]);
    assert.equal(c.status(), 408, c.text);
    assert.equal(c.body().error.code, 'PB_REQUEST_TIMEOUT');
  });

  test('one connection over maxConnections: HTTP 503 PB_TOO_MANY_CONNECTIONS, WebSocket close 1013; freed slots serve again', async () => {
    const server = await testServer({ maxConnections: 3 });
    servers.push(server);
    const idle = [0, 1, 2].map(() => new RawClient(server.port));
    clients.push(...idle);
    await Promise.all(idle.map((c) => c.connected()));
    // Let the server's accept run for all three before the next one arrives.
    await new Promise((r) => setTimeout(r, 100));

    const over = await getJson(`${server.url}/stats`);
    assert.equal(over.status, 503);
    assert.equal(over.body.error.code, 'PB_TOO_MANY_CONNECTIONS');
    assert.match(over.body.error.message, /maxConnections is 3/);

    const ws = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=late`);
    assert.equal(await ws.closed, 1013);

    for (const c of idle) c.socket.destroy();
    await waitUntil(() => server.stats().protocols.websocket?.connections === 0, 2_000, 'sockets closed');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal((await getJson(`${server.url}/stats`)).status, 200);
    const ok = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=now`);
    await ok.opened;
    ok.close();
  });
});
