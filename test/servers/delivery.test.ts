import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../servers/app.ts';
import { getJson, type Json, SseReader, testServer, WsPeer } from './helpers.ts';

const seqs = (list: Array<{ seq: number }>) => list.map((m) => m.seq);

describe('every protocol delivers the same sequence, in order', () => {
  let server: RunningServer;
  const closers: Array<() => void> = [];
  before(async () => {
    server = await testServer();
  });
  after(async () => {
    for (const c of closers) c();
    await server.close();
  });

  test('short-poll, long-poll, sse and websocket see the same seqs for client c1', async () => {
    const ws = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=c1`);
    const wsArticle = new WsPeer(`${server.url.replace('http', 'ws')}/websocket/c1`);
    const sse = new SseReader(`${server.url}/sse?client=c1`);
    closers.push(
      () => ws.close(),
      () => wsArticle.close(),
      () => sse.close(),
    );
    await ws.waitFor((m) => m.some((x) => x.type === 'hello'));
    await wsArticle.waitFor((m) => m.some((x) => x.type === 'hello'));
    await sse.waitFor((e) => e.some((x) => x.event === 'hello'));
    const start = (await getJson(`${server.url}/poll?client=c1`)).body.lastSeq;

    // Long-poll loop in the background: holds, is released, re-polls.
    const longPolled: Json[] = [];
    let longSince = start;
    const expectedCount = 30;
    const longLoop = (async () => {
      for (let i = 0; i < 200 && longPolled.length < expectedCount; i++) {
        const r = await getJson(`${server.url}/long-poll?client=c1&since=${longSince}&wait=2000`);
        longPolled.push(...r.body.messages);
        longSince = r.body.lastSeq;
      }
    })();

    // 45 messages: a third to c1, a third to c2, a third broadcast; some in synchronous bursts.
    for (let i = 0; i < 45; i++) {
      const to = i % 3 === 0 ? 'c1' : i % 3 === 1 ? 'c2' : undefined;
      server.source.publish(`m${i}`, to ? { to } : {});
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 5));
    }
    const expected = seqs(server.source.since(start, 'c1').messages);
    assert.equal(expected.length, expectedCount);

    await ws.waitFor(() => ws.envelopes().length >= expectedCount);
    await wsArticle.waitFor(() => wsArticle.envelopes().length >= expectedCount);
    await sse.waitFor(() => sse.envelopes().length >= expectedCount);
    await longLoop;
    const shortPolled: Json[] = [];
    let since = start;
    for (let i = 0; i < 3; i++) {
      const r = await getJson(`${server.url}/poll?client=c1&since=${since}`);
      shortPolled.push(...r.body.messages);
      since = r.body.lastSeq;
    }

    assert.deepEqual(seqs(ws.envelopes()), expected);
    assert.deepEqual(seqs(wsArticle.envelopes()), expected);
    assert.deepEqual(seqs(sse.envelopes()), expected);
    assert.deepEqual(seqs(longPolled), expected);
    assert.deepEqual(seqs(shortPolled), expected);
    // SSE ids are the seqs; envelopes are identical everywhere.
    assert.deepEqual(
      sse.events.filter((e) => e.event === undefined).map((e) => Number(e.id)),
      expected,
    );
    assert.deepEqual(ws.envelopes(), shortPolled);
    assert.ok(sse.raw.startsWith('retry: 1000\n\nevent: hello\n'));
  });
});

describe('resume', () => {
  let server: RunningServer;
  const closers: Array<() => void> = [];
  before(async () => {
    server = await testServer({ retentionCount: 10 });
    for (let i = 1; i <= 8; i++) server.source.publish(`m${i}`, i === 5 ? { to: 'other' } : {});
  });
  after(async () => {
    for (const c of closers) c();
    await server.close();
  });
  const missed = [4, 6, 7, 8]; // after 3, without the message addressed to "other"

  test('short-poll and long-poll since=N return exactly the missed messages', async () => {
    for (const path of ['/poll', '/long-poll']) {
      const r = await getJson(`${server.url}${path}?client=me&since=3`);
      assert.equal(r.status, 200);
      assert.deepEqual(seqs(r.body.messages), missed, path);
      assert.equal(r.body.lastSeq, 8);
      assert.equal(r.body.oldestSeq, 1);
      assert.equal(r.body.gap, undefined);
    }
  });

  test('websocket since=N: hello then exactly the missed messages', async () => {
    const ws = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=me&since=3`);
    closers.push(() => ws.close());
    await ws.waitFor((m) => m.length >= 5);
    // One message was addressed (to "other"): the hello names this client's last seq too.
    assert.deepEqual(ws.messages[0], { type: 'hello', lastSeq: 8, oldestSeq: 1, lastForClient: 8 });
    assert.deepEqual(seqs(ws.envelopes()), missed);
  });

  test('sse Last-Event-ID and since (since wins) return exactly the missed messages', async () => {
    const byHeader = new SseReader(`${server.url}/sse?client=me`, { 'Last-Event-ID': '3' });
    const bySince = new SseReader(`${server.url}/sse?client=me&since=6`, { 'Last-Event-ID': '3' });
    closers.push(
      () => byHeader.close(),
      () => bySince.close(),
    );
    await byHeader.waitFor((e) => e.length >= 5);
    await bySince.waitFor((e) => e.length >= 3);
    assert.deepEqual(JSON.parse(byHeader.events[0].data), {
      type: 'hello',
      lastSeq: 8,
      oldestSeq: 1,
      lastForClient: 8,
    });
    assert.deepEqual(seqs(byHeader.envelopes()), missed);
    assert.deepEqual(seqs(bySince.envelopes()), [7, 8]);
  });

  test('a too-old resume reports the gap, on every protocol', async () => {
    for (let i = 9; i <= 20; i++) server.source.publish(`m${i}`);
    // window is now seqs 11..20; since=2 → 3..10 are gone
    const gap = { from: 3, to: 10 };
    const kept = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
    for (const path of ['/poll', '/long-poll']) {
      const r = await getJson(`${server.url}${path}?client=me&since=2`);
      assert.deepEqual(r.body.gap, gap, path);
      assert.deepEqual(seqs(r.body.messages), kept, path);
    }
    const ws = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=me&since=2`);
    const sse = new SseReader(`${server.url}/sse?client=me`, { 'Last-Event-ID': '2' });
    closers.push(
      () => ws.close(),
      () => sse.close(),
    );
    await ws.waitFor((m) => m.length >= 11);
    await sse.waitFor((e) => e.length >= 11);
    // Seq 5 went to "other" earlier: the hellos carry this client's last seq (20) too.
    const hello = { type: 'hello', lastSeq: 20, oldestSeq: 11, gap, lastForClient: 20 };
    assert.deepEqual(ws.messages[0], hello);
    assert.deepEqual(JSON.parse(sse.events[0].data), hello);
    assert.deepEqual(seqs(ws.envelopes()), kept);
    assert.deepEqual(seqs(sse.envelopes()), kept);
  });
});
