/** wsAllowedOrigins: browsers' WebSocket upgrades from other origins are refused 403 PB_BAD_ORIGIN. */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../servers/app.ts';
import { type Json, testServer } from './helpers.ts';

/** Open a WebSocket with these headers; resolve 'open' or the refused answer. */
function attempt(url: string, origin?: string): Promise<'open' | { status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }),
      );
    });
    setTimeout(() => reject(new Error('no answer within 3 s')), 3_000).unref();
  });
}

describe('WebSocket Origin check', () => {
  let server: RunningServer;
  let open: RunningServer;
  before(async () => {
    server = await testServer({
      protocols: ['websocket', 'socket.io'],
      wsAllowedOrigins: ['http://app.localhost:3000'],
    });
    open = await testServer({ protocols: ['websocket'] });
  });
  after(async () => {
    await Promise.all([server.close(), open.close()]);
  });

  test('an Origin outside the list → 403 PB_BAD_ORIGIN, on both WebSocket URLs', async () => {
    const ws = server.url.replace('http', 'ws');
    for (const path of ['/ws?client=a', '/websocket/a']) {
      const r = await attempt(`${ws}${path}`, 'http://evil.example');
      assert.notEqual(r, 'open');
      if (r === 'open') return;
      assert.equal(r.status, 403);
      assert.equal(r.body.error.code, 'PB_BAD_ORIGIN');
    }
  });

  test('a listed Origin, the server’s own origin and no Origin (not a browser) are served', async () => {
    const ws = server.url.replace('http', 'ws');
    assert.equal(await attempt(`${ws}/ws?client=a`, 'http://app.localhost:3000'), 'open');
    assert.equal(await attempt(`${ws}/ws?client=a`, server.url), 'open');
    assert.equal(await attempt(`${ws}/ws?client=a`), 'open');
  });

  test('socket.io refuses the same Origin (engine.io 403)', async () => {
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'http://evil.example' },
    });
    assert.equal(res.status, 403);
    await res.body?.cancel();
  });

  test('without the option any Origin is accepted (the default)', async () => {
    assert.equal(
      await attempt(`${open.url.replace('http', 'ws')}/ws?client=a`, 'http://evil.example'),
      'open',
    );
  });

  test('the option is checked: entries must be origins', async () => {
    await assert.rejects(
      testServer({ wsAllowedOrigins: ['http://x.example/path', 'nope'] }),
      (err: Error & { problems?: string[] }) =>
        err.problems?.filter((p) => p.startsWith('wsAllowedOrigins')).length === 2,
    );
  });
});
