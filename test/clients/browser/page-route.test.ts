/**
 * GET /bench/: the page real browsers run, served by the pushbench server with its module
 * scripts (right types, no cache), nothing else reachable under /bench/, and no external
 * resource (every byte a page moves is measured, and runs stay on loopback).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { benchPageDir } from '../../../clients/browser/page-dir.ts';
import { PushbenchError } from '../../../core/errors.ts';
import { type RunningServer, startServer } from '../../../servers/app.ts';

let server: RunningServer;
before(async () => {
  server = await startServer({
    port: 0,
    ratePerS: 0,
    protocols: ['websocket'],
    benchPageDir: benchPageDir(),
  });
});
after(() => server.close());

async function get(path: string): Promise<{ status: number; type: string; body: string; location: string }> {
  const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: await res.text(),
    location: res.headers.get('location') ?? '',
  };
}

describe('browser page route', () => {
  test('/bench/ is the page; it loads its modules from /bench/ and nothing from elsewhere', async () => {
    const page = await get('/bench/');
    assert.equal(page.status, 200);
    assert.match(page.type, /^text\/html/);
    assert.match(page.body, /<script type="module" src="\.\/main\.js"><\/script>/);
    assert.match(page.body, /<link rel="icon" href="data:,">/, 'no favicon request');
    assert.doesNotMatch(page.body, /https?:\/\//);
  });

  test('every module the page imports is served as JavaScript, with relative imports only (and Socket.IO bundle of the same origin)', async () => {
    const seen = new Set<string>();
    const queue = ['main.js'];
    while (queue.length > 0 && seen.size < 20) {
      const name = queue.shift()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const js = await get(`/bench/${name}`);
      assert.equal(js.status, 200, name);
      assert.match(js.type, /^text\/javascript/, name);
      assert.doesNotMatch(js.body, /https?:\/\//, `${name} refers to no URL`);
      for (const m of js.body.matchAll(/from '\.\/([a-z-]+\.js)'/g)) queue.push(m[1]);
      // The one other module: Socket.IO's own browser bundle, served by the socket.io server.
      for (const m of js.body.matchAll(/import\((\w+)\)/g)) assert.equal(m[1], 'BUNDLE', name);
      if (name === 'socket-io.js')
        assert.match(js.body, /const BUNDLE = '\/socket\.io\/socket\.io\.esm\.min\.js';/);
    }
    assert.deepEqual([...seen].sort(), [
      'client.js',
      'core.js',
      'main.js',
      'polling.js',
      'sink.js',
      'socket-io.js',
      'sse.js',
      'websocket.js',
    ]);
  });

  test('/bench redirects to /bench/; unknown files are 404', async () => {
    const bare = await get('/bench');
    assert.equal(bare.status, 302);
    assert.equal(bare.location, '/bench/');
    assert.equal((await get('/bench/nope.js')).status, 404);
    assert.equal((await get('/bench/..%2Fchromium.ts')).status, 404);
  });

  test("the page folder is the caller's to give: without benchPageDir there is no /bench/; a bad one is refused", async () => {
    const bare = await startServer({ port: 0, ratePerS: 0, protocols: ['websocket'] });
    try {
      assert.equal((await fetch(`${bare.url}/bench/`)).status, 404);
      assert.equal((await fetch(`${bare.url}/`)).status, 200);
    } finally {
      await bare.close();
    }
    await assert.rejects(
      startServer({ port: 0, ratePerS: 0, benchPageDir: '' }),
      (err: unknown) => err instanceof PushbenchError && /benchPageDir/.test(err.message),
    );
  });
});
