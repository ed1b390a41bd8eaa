import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../servers/app.ts';
import { getJson, testServer, waitUntil } from './helpers.ts';

describe('long-poll holding', () => {
  let server: RunningServer;
  before(async () => {
    server = await testServer();
  });
  after(async () => {
    await server.close();
  });
  const held = () => server.stats().protocols['long-poll']!.connections;

  test('a held long-poll is released by a publish within milliseconds', async () => {
    const since = server.source.lastSeq;
    const pending = getJson(`${server.url}/long-poll?client=a&since=${since}&wait=20000`);
    await waitUntil(() => held() === 1, 3_000, 'the long-poll to be held');
    const publishedAt = performance.now();
    const env = server.source.publish('wake');
    const r = await pending;
    const releasedMs = performance.now() - publishedAt;
    assert.deepEqual(r.body.messages, [env]);
    // Tolerance: generous, the machine is shared (typically < 5 ms).
    assert.ok(releasedMs < 200, `released after ${releasedMs.toFixed(1)} ms`);
  });

  test('a synchronous burst goes out in one answer; messages for others do not release it', async () => {
    const since = server.source.lastSeq;
    const pending = getJson(`${server.url}/long-poll?client=a&since=${since}&wait=20000`);
    await waitUntil(() => held() === 1, 3_000, 'the long-poll to be held');
    server.source.publish('not yours', { to: 'b' });
    await new Promise((r) => setTimeout(r, 30));
    server.source.publish('1', { to: 'a' });
    server.source.publish('2');
    const r = await pending;
    assert.deepEqual(
      r.body.messages.map((m: { data: string }) => m.data),
      ['1', '2'],
    );
  });

  test('a held long-poll is answered empty when its wait elapses', async () => {
    const since = server.source.lastSeq;
    const t0 = performance.now();
    const r = await getJson(`${server.url}/long-poll?client=a&since=${since}&wait=300`);
    const tookMs = performance.now() - t0;
    assert.deepEqual(r.body, { messages: [], lastSeq: since, oldestSeq: 1 });
    // wait=300: not before ~300 ms (timers may fire 1 ms early), not much after (generous for a busy machine).
    assert.ok(tookMs >= 290 && tookMs < 1_500, `answered after ${tookMs.toFixed(1)} ms`);
  });

  test('without since it answers at once (subscribe)', async () => {
    const r = await getJson(`${server.url}/long-poll?client=a&wait=20000`);
    assert.deepEqual(r.body, { messages: [], lastSeq: server.source.lastSeq, oldestSeq: 1 });
  });

  test('a client that goes away while held is forgotten', async () => {
    const req = http.get(`${server.url}/long-poll?client=gone&since=${server.source.lastSeq}&wait=20000`, {
      agent: false,
    });
    req.on('error', () => {});
    await waitUntil(() => held() === 1, 3_000, 'the long-poll to be held');
    req.destroy();
    await waitUntil(() => held() === 0, 3_000, 'the held poll to be dropped');
    server.source.publish('after abort'); // must not throw writing to a dead request
  });
});

/** Every byte received on one raw keep-alive socket. */
class RawClient {
  readonly socket: net.Socket;
  data = '';
  constructor(port: number) {
    this.socket = net.connect({ port, host: '127.0.0.1' });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (d: string) => {
      this.data += d;
    });
    this.socket.on('error', () => {});
  }
  get(path: string, extra = ''): void {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`);
  }
  /** Complete responses received so far (content-length framed). */
  responses(): string[] {
    const out: string[] = [];
    let rest = this.data;
    for (;;) {
      const end = rest.indexOf('\r\n\r\n');
      if (end < 0) return out;
      const length = Number(/content-length: (\d+)/i.exec(rest.slice(0, end))?.[1] ?? 0);
      if (rest.length < end + 4 + length) return out;
      out.push(rest.slice(0, end + 4 + length));
      rest = rest.slice(end + 4 + length);
    }
  }
  close(): void {
    this.socket.destroy();
  }
}

/** The Date header's value replaced (two answers may fall in different seconds). */
const undated = (response: string) => {
  assert.match(response, /\r\nDate: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r\n/);
  return response.replace(/\r\nDate: [^\r]+\r\n/, '\r\nDate: -\r\n');
};

describe('long-poll release: one prebuilt write per held request (docs/perf.md)', () => {
  let server: RunningServer;
  before(async () => {
    server = await testServer();
  });
  after(async () => {
    await server.close();
  });
  const held = () => server.stats().protocols['long-poll']!.connections;

  test("a released answer is byte for byte fastify's answer, and the connection stays usable", async () => {
    const a = new RawClient(server.port);
    const b = new RawClient(server.port);
    try {
      const since = server.source.lastSeq;
      a.get(`/long-poll?client=a&since=${since}&wait=20000`);
      await waitUntil(() => held() === 1, 3_000, 'the long-poll to be held');
      server.source.publish('first');
      await waitUntil(() => a.responses().length === 1, 3_000, 'the released answer');
      // The same answer, not held: fastify's reply.send writes it.
      b.get(`/long-poll?client=a&since=${since}&wait=20000`);
      await waitUntil(() => b.responses().length === 1, 3_000, "fastify's answer");
      assert.equal(undated(a.responses()[0]), undated(b.responses()[0]));
      assert.match(a.responses()[0], /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\nConnection: keep-alive\r\n/);
      // Keep-alive goes on: the next poll on the same socket is held and released again.
      b.close();
      await waitUntil(() => held() === 1, 3_000, "b's socket to be gone");
      a.get(`/long-poll?client=a&since=${server.source.lastSeq}&wait=20000`);
      // `held()` counts the long-poll sockets (a's stays open): give the poll time to arrive.
      await new Promise((r) => setTimeout(r, 100));
      const env = server.source.publish('second');
      await waitUntil(() => a.responses().length === 2, 3_000, 'the second released answer');
      const body = JSON.parse(a.responses()[1].split('\r\n\r\n')[1]);
      assert.deepEqual(body.messages, [env]);
    } finally {
      a.close();
      b.close();
    }
  });

  test('a held request that asked Connection: close is answered by fastify and closed', async () => {
    const c = new RawClient(server.port);
    try {
      c.get(`/long-poll?client=c&since=${server.source.lastSeq}&wait=20000`, 'Connection: close\r\n');
      await waitUntil(() => held() === 1, 3_000, 'the long-poll to be held');
      server.source.publish('to a closing client');
      await waitUntil(() => c.socket.readableEnded || c.socket.destroyed, 3_000, 'the socket to close');
      assert.equal(c.responses().length, 1);
      assert.match(c.responses()[0], /\r\nConnection: close\r\n/);
    } finally {
      c.close();
    }
  });

  test('a released wait: the empty answer also goes out prebuilt, keep-alive intact', async () => {
    const d = new RawClient(server.port);
    try {
      const since = server.source.lastSeq;
      d.get(`/long-poll?client=d&since=${since}&wait=200`);
      await waitUntil(() => d.responses().length === 1, 3_000, 'the empty answer');
      const [head, body] = d.responses()[0].split('\r\n\r\n');
      assert.match(head, /\r\nConnection: keep-alive\r\n/);
      assert.deepEqual(JSON.parse(body), { messages: [], lastSeq: since, oldestSeq: 1 });
      d.get(`/long-poll?client=d&wait=20000`);
      await waitUntil(() => d.responses().length === 2, 3_000, 'the next answer on the same socket');
    } finally {
      d.close();
    }
  });
});
