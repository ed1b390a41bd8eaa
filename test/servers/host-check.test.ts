/** DNS rebinding: a server bound to loopback answers only requests that name a loopback Host. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../servers/app.ts';
import { testServer } from './helpers.ts';

/** One raw HTTP/1.1 request; resolves with the status and the body. */
function rawRequest(port: number, head: string, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(`${head}Connection: close\r\n\r\n${body}`),
    );
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
    });
    socket.on('error', reject);
    socket.on('close', () =>
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
        body: text.slice(text.indexOf('\r\n\r\n') + 4),
      }),
    );
    setTimeout(() => socket.destroy(new Error(`no answer within 3 s: ${text}`)), 3_000).unref();
  });
}

describe('push servers check the Host header', () => {
  let server: RunningServer;
  before(async () => {
    server = await testServer({ protocols: ['short-poll', 'long-poll', 'sse', 'websocket', 'socket.io'] });
  });
  after(async () => {
    await server.close();
  });

  const paths = ['/poll?since=0', '/long-poll?since=0&wait=0', '/sse', '/stats', '/metrics', '/'];
  for (const path of paths) {
    test(`GET ${path} with Host evil.example → 421 PB_BAD_HOST`, async () => {
      const r = await rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: evil.example\r\n`);
      assert.equal(r.status, 421);
      assert.equal(JSON.parse(r.body).error.code, 'PB_BAD_HOST');
    });
  }

  test('POST /publish with Host 127.0.0.1.nip.io is refused and publishes nothing', async () => {
    const body = '{"data":"x"}';
    const r = await rawRequest(
      server.port,
      `POST /publish HTTP/1.1\r\nHost: 127.0.0.1.nip.io:${server.port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n`,
      body,
    );
    assert.equal(r.status, 421);
    assert.equal(server.source.lastSeq, 0);
  });

  test('a WebSocket upgrade with a foreign Host is refused with 421', async () => {
    const r = await rawRequest(
      server.port,
      'GET /ws?client=a HTTP/1.1\r\nHost: evil.example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n',
    );
    assert.equal(r.status, 421);
    assert.equal(JSON.parse(r.body).error.code, 'PB_BAD_HOST');
  });

  test('socket.io refuses a foreign Host (engine.io 403)', async () => {
    const r = await rawRequest(
      server.port,
      'GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: evil.example\r\n',
    );
    assert.equal(r.status, 403);
  });

  for (const host of ['127.0.0.1', 'localhost', '[::1]', 'app.localhost']) {
    test(`Host ${host} is served`, async () => {
      const r = await rawRequest(
        server.port,
        `GET /poll?since=0 HTTP/1.1\r\nHost: ${host}:${server.port}\r\n`,
      );
      assert.equal(r.status, 200);
      const ws = await rawRequest(
        server.port,
        `GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: ${host}:${server.port}\r\n`,
      );
      assert.equal(ws.status, 200);
    });
  }
});
