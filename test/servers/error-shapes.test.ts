/** Every 4xx/5xx is {error:{code,message}} (docs/wire.md), fastify's own answers included. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../servers/app.ts';
import { type Json, testServer, WsPeer } from './helpers.ts';

/** One raw HTTP/1.1 request (Connection: close); resolves with status, headers and body. */
function rawRequest(
  port: number,
  head: string,
  body = '',
): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(`${head}Host: 127.0.0.1\r\nConnection: close\r\n\r\n${body}`),
    );
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const end = text.indexOf('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        head: text.slice(0, end),
        body: text.slice(end + 4),
      });
    });
    setTimeout(() => socket.destroy(new Error(`no answer within 3 s: ${text.slice(0, 300)}`)), 3_000).unref();
  });
}

function errorOf(body: string): { code: string; message: string } {
  const parsed: Json = JSON.parse(body);
  assert.deepEqual(Object.keys(parsed), ['error']);
  assert.equal(typeof parsed.error.code, 'string');
  assert.equal(typeof parsed.error.message, 'string');
  return parsed.error;
}

describe('error shapes', () => {
  let server: RunningServer;
  before(async () => {
    server = await testServer();
  });
  after(async () => {
    await server.close();
  });

  const cases: Array<[string, string, string, number, string]> = [
    ['404 with a 10 KB path', `GET /${'a'.repeat(10_000)} HTTP/1.1\r\n`, '', 404, 'PB_NOT_FOUND'],
    [
      '414 (a path parameter over 1,000)',
      `GET /websocket/${'a'.repeat(10_000)} HTTP/1.1\r\n`,
      '',
      414,
      'PB_URI_TOO_LONG',
    ],
    [
      '431 (20 KB of headers)',
      `GET /poll HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n`,
      '',
      431,
      'PB_HEADERS_TOO_LARGE',
    ],
    ['400 (bad %-encoding in the path)', 'GET /websocket/%zz HTTP/1.1\r\n', '', 400, 'PB_BAD_REQUEST'],
    [
      '415 (text/plain publish)',
      'POST /publish HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n',
      '{"data":"x"}',
      415,
      'PB_UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      '415 (publish without a content type)',
      'POST /publish HTTP/1.1\r\nContent-Length: 12\r\n',
      '{"data":"x"}',
      415,
      'PB_UNSUPPORTED_MEDIA_TYPE',
    ],
    ['426 (GET /ws without Upgrade)', 'GET /ws?client=a HTTP/1.1\r\n', '', 426, 'PB_UPGRADE_REQUIRED'],
    [
      '426 (GET /websocket/:client without Upgrade)',
      'GET /websocket/a HTTP/1.1\r\n',
      '',
      426,
      'PB_UPGRADE_REQUIRED',
    ],
  ];
  for (const [name, head, body, status, code] of cases) {
    test(`${name} → ${status} ${code}, under 1 KB`, async () => {
      const r = await rawRequest(server.port, head, body);
      assert.equal(r.status, status, r.head);
      assert.match(r.head, /content-type: application\/json/i);
      assert.equal(errorOf(r.body).code, code);
      assert.ok(r.body.length < 1_024, `${r.body.length} B body`);
      if (status === 426) assert.match(r.head, /^upgrade: websocket$/im);
    });
  }

  test('nothing was published by the refused requests', () => {
    assert.equal(server.source.lastSeq, 0);
  });

  test('a binary WebSocket frame is refused with PB_WS_BINARY (even a binary "ping"); the connection stays open', async () => {
    const peer = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=bin`);
    await peer.opened;
    peer.ws.send(Buffer.from('ping'), { binary: true });
    await peer.waitFor((m) => m.some((x) => x.type === 'error'));
    const err = peer.messages.find((x) => x.type === 'error');
    assert.equal(err.code, 'PB_WS_BINARY');
    peer.ws.send('{"type":"ping","t":1}');
    await peer.waitFor((m) => m.some((x) => x.type === 'pong'));
    assert.equal(peer.ws.readyState, WebSocket.OPEN);
    peer.close();
  });

  test('a request during shutdown → 503 PB_SHUTTING_DOWN in the error shape', async () => {
    const s = await testServer({ shutdownTimeoutMs: 2_000 });
    // A WebSocket peer that never answers the close frame holds the shutdown open for ~1 s.
    const stuck = net.connect(s.port, '127.0.0.1');
    stuck.on('error', () => {});
    await new Promise<void>((r) => stuck.once('connect', () => r()));
    stuck.write(
      'GET /ws?client=stuck HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await new Promise<void>((r) => stuck.once('data', () => r()));
    stuck.pause();
    // A keep-alive connection opened before the shutdown, used after it began.
    const late = net.connect(s.port, '127.0.0.1');
    await new Promise<void>((r) => late.once('connect', () => r()));
    const closing = s.close();
    let text = '';
    late.setEncoding('utf8');
    late.on('data', (d: string) => {
      text += d;
    });
    late.write('GET /poll?since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await new Promise<void>((r) => late.once('close', () => r()));
    stuck.destroy();
    await closing;
    assert.match(text, /^HTTP\/1\.1 503/);
    assert.equal(errorOf(text.slice(text.indexOf('\r\n\r\n') + 4)).code, 'PB_SHUTTING_DOWN');
  });
});
