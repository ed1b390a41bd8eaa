import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import type { RunningServer } from '../../servers/app.ts';
import { getJson, type Json, SseReader, testServer, WsPeer } from './helpers.ts';

async function post(
  url: string,
  body: string,
  type = 'application/json',
): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  return { status: res.status, body: await res.json() };
}

/** Open a websocket expecting the upgrade to be refused; resolve with the HTTP answer. */
function refusedUpgrade(url: string): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => reject(new Error('upgrade unexpectedly accepted')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
  });
}

describe('bad input gets its documented answer and the server keeps serving', () => {
  let server: RunningServer;
  let witness: WsPeer;
  before(async () => {
    server = await testServer({ publishBodyLimitBytes: 1024 });
    witness = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=witness`);
    await witness.opened;
  });
  after(async () => {
    witness.close();
    await server.close();
  });

  const badQueries: Array<[string, string]> = [
    ['/poll?since=abc', 'since'],
    ['/poll?since=-1', 'since'],
    ['/poll?since=1.5', 'since'],
    ['/poll?since=1&since=2', 'since'],
    ['/poll?client=has%20space', 'client'],
    [`/poll?client=${'x'.repeat(65)}`, 'client'],
    ['/long-poll?since=0&wait=abc', 'wait'],
    ['/long-poll?since=0&wait=60001', 'wait'],
    ['/sse?since=x', 'since'],
  ];
  for (const [path, param] of badQueries) {
    test(`GET ${path.slice(0, 40)} → 400 PB_BAD_QUERY naming ${param}`, async () => {
      const r = await getJson(`${server.url}${path}`);
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, 'PB_BAD_QUERY');
      assert.ok(
        r.body.error.problems.some((p: string) => p.startsWith(`${param}:`)),
        JSON.stringify(r.body),
      );
    });
  }

  test('every problem is reported at once', async () => {
    const r = await getJson(`${server.url}/long-poll?since=a&client=&wait=b`);
    assert.equal(r.status, 400);
    assert.deepEqual(
      r.body.error.problems.map((p: string) => p.split(':')[0]),
      ['since', 'client', 'wait'],
    );
  });

  test('SSE with a bad Last-Event-ID → 400 naming Last-Event-ID', async () => {
    const r = await getJson(`${server.url}/sse?client=a`, { 'Last-Event-ID': 'nope' });
    assert.equal(r.status, 400);
    assert.match(r.body.error.problems[0], /^Last-Event-ID:/);
  });

  test('websocket upgrade with a bad since or client id → HTTP 400 before the upgrade', async () => {
    const base = server.url.replace('http', 'ws');
    for (const path of ['/ws?since=x', '/ws?client=%25%25', '/websocket/bad%20id']) {
      const r = await refusedUpgrade(`${base}${path}`);
      assert.equal(r.status, 400, path);
      assert.equal(r.body.error.code, 'PB_BAD_QUERY');
    }
  });

  test('publish: over the limit → 413, bad bodies → 400 PB_BAD_BODY, good → 202 with the seq', async () => {
    const big = await post(`${server.url}/publish`, JSON.stringify({ data: 'x'.repeat(2000) }));
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'PB_BODY_TOO_LARGE');
    for (const body of [
      '{not json',
      '[]',
      '{"data":5}',
      '{"data":"x","to":"bad id"}',
      '{"data":"x","extra":1}',
    ]) {
      const r = await post(`${server.url}/publish`, body);
      assert.equal(r.status, 400, body);
      assert.equal(r.body.error.code, 'PB_BAD_BODY', body);
    }
    const wrongType = await post(`${server.url}/publish`, 'data=x', 'text/plain');
    assert.equal(wrongType.status, 415);
    assert.equal(wrongType.body.error.code, 'PB_UNSUPPORTED_MEDIA_TYPE');
    const ok = await post(`${server.url}/publish`, JSON.stringify({ data: 'hello', to: 'witness' }));
    assert.equal(ok.status, 202);
    assert.deepEqual(ok.body, { seq: server.source.lastSeq });
  });

  test('unknown route → 404 PB_NOT_FOUND', async () => {
    const r = await getJson(`${server.url}/nope?x=1`);
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'PB_NOT_FOUND');
  });

  test('after all that, the server still serves every protocol', async () => {
    const env = server.source.publish('still serving');
    await witness.waitFor(() => witness.envelopes().some((e) => e.seq === env.seq));
    const poll = await getJson(`${server.url}/poll?client=a&since=${env.seq - 1}`);
    assert.deepEqual(poll.body.messages, [env]);
    const sse = new SseReader(`${server.url}/sse?client=a&since=${env.seq - 1}`);
    await sse.waitFor((e) => e.length === 2);
    sse.close();
    assert.deepEqual(sse.envelopes(), [env]);
  });
});

describe('socket.io: a bad handshake auth is refused naming PB_BAD_QUERY', () => {
  let server: RunningServer;
  before(async () => {
    server = await testServer({ protocols: ['socket.io'] });
  });
  after(async () => {
    await server.close();
  });

  for (const [auth, param] of [
    [{ client: 'bad id!' }, 'client'],
    [{ client: 'ok', since: -1 }, 'since'],
  ] as const) {
    test(`auth ${JSON.stringify(auth)} → connect_error PB_BAD_QUERY naming ${param}`, async () => {
      const socket = io(server.url, { auth, transports: ['websocket'], reconnection: false, timeout: 5_000 });
      try {
        const err = await new Promise<Error & { data?: Json }>((resolve, reject) => {
          socket.on('connect', () => reject(new Error('connected with a bad auth')));
          socket.on('connect_error', resolve);
        });
        assert.match(err.message, /^PB_BAD_QUERY: /);
        assert.equal(err.data?.error.code, 'PB_BAD_QUERY');
        assert.ok(
          err.data?.error.problems.some((p: string) => p.startsWith(`${param}:`)),
          JSON.stringify(err.data),
        );
      } finally {
        socket.close();
      }
    });
  }
});
