import assert from 'node:assert/strict';
import http from 'node:http';
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
