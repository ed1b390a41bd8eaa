import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { RunningServer } from '../../servers/app.ts';
import { testServer, WsPeer, waitUntil } from './helpers.ts';

describe('websocket', () => {
  let server: RunningServer | undefined;
  const peers: WsPeer[] = [];
  const start = async (opts = {}) => {
    server = await testServer({ protocols: ['websocket'], ...opts });
    return server;
  };
  const wsUrl = (path: string) => `${server!.url.replace('http', 'ws')}${path}`;
  const peer = (path: string, options: WebSocket.ClientOptions = {}) => {
    const p = new WsPeer(wsUrl(path), new WebSocket(wsUrl(path), options));
    peers.push(p);
    return p;
  };
  afterEach(async () => {
    for (const p of peers.splice(0)) p.close();
    await server?.close();
    server = undefined;
  });
  after(async () => {
    await server?.close();
  });

  test('application ping → pong echoing t', async () => {
    await start();
    const p = peer('/ws?client=a');
    await p.opened;
    p.ws.send(JSON.stringify({ type: 'ping', t: 1234.5 }));
    await p.waitFor((m) => m.some((x) => x.type === 'pong'));
    assert.deepEqual(
      p.messages.find((x) => x.type === 'pong'),
      { type: 'pong', t: 1234.5 },
    );
    assert.equal(server!.stats().protocols.websocket!.messagesReceived, 1);
  });

  test("the article's plain-text ping is answered with a plain-text pong, and the peer is still served", async () => {
    await start();
    const ws = new WebSocket(wsUrl('/websocket/a'));
    const frames: string[] = [];
    ws.on('message', (d) => frames.push(d.toString()));
    const closed = new Promise((r) => ws.once('close', r));
    await new Promise((r) => ws.once('open', r));
    try {
      ws.send('ping');
      ws.send('ping');
      await waitUntil(() => frames.filter((f) => f === 'pong').length === 2, 3_000);
      server!.source.publish('after the pongs');
      await waitUntil(() => frames.some((f) => f.includes('after the pongs')), 3_000);
      assert.deepEqual(
        frames.filter((f) => !f.startsWith('{')),
        ['pong', 'pong'],
        'two text pongs and no error frames',
      );
      assert.equal(frames.filter((f) => f.includes('"error"')).length, 0);
    } finally {
      ws.close();
      await closed;
    }
  });

  test('a peer that does not answer protocol pings is terminated and counted as a zombie', async () => {
    await start({ serverPingIntervalMs: 100 });
    const healthy = peer('/ws?client=alive');
    const zombie = peer('/websocket/zombie', { autoPong: false });
    await Promise.all([healthy.opened, zombie.opened]);
    const openedAt = Date.now();
    const code = await zombie.closed;
    const tookMs = Date.now() - openedAt;
    assert.equal(code, 1006, 'terminated, not closed politely');
    // The first tick after the open pings (0-100 ms), the next finds no pong and terminates:
    // 100-200 ms. Not on the first missed ping (< 100 ms), not several intervals late (500 ms:
    // room for a loaded machine, under 5 intervals).
    assert.ok(tookMs >= 80 && tookMs < 500, `reaped after ${tookMs} ms`);
    const stats = server!.stats();
    assert.equal(stats.zombies.reaped, 1);
    const ev = stats.zombies.events[0];
    assert.equal(ev.protocol, 'websocket');
    assert.equal(ev.client, 'zombie');
    const silentMs = ev.atMs - ev.lastSeenMs;
    assert.ok(silentMs >= 80 && silentMs < 500, `reaped ${silentMs} ms after it was last seen`);
    // the peer that answers pings survives several more intervals
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(healthy.ws.readyState, WebSocket.OPEN);
    assert.equal(server!.stats().zombies.reaped, 1);
  });

  test('protocol pings are spread over the interval in groups, each peer pinged once per interval', async () => {
    // 1 s interval: 20 ticks of 50 ms, 40 peers in 20 groups of 2.
    await start({ serverPingIntervalMs: 1_000 });
    const all = Array.from({ length: 40 }, (_, i) => peer(`/ws?client=p${i}`));
    await Promise.all(all.map((p) => p.opened));
    const pingsAt: number[][] = all.map(() => []);
    const t0 = Date.now();
    for (const [i, p] of all.entries()) p.ws.on('ping', () => pingsAt[i].push(Date.now() - t0));
    await new Promise((r) => setTimeout(r, 2_100));
    // Each peer: 2 pings (its group's tick in each of 2 intervals), ~1 s apart.
    for (const [i, at] of pingsAt.entries()) {
      assert.ok(at.length >= 2 && at.length <= 3, `peer ${i}: ${at.length} pings`);
      const gap = at[1] - at[0];
      assert.ok(gap > 900 && gap < 1_100, `peer ${i}: pings ${gap} ms apart`);
    }
    // Spread: the first interval's pings fall into many 50 ms slices, none with more than a few.
    const slices = new Map<number, number>();
    for (const at of pingsAt)
      slices.set(Math.floor(at[0] / 50), (slices.get(Math.floor(at[0] / 50)) ?? 0) + 1);
    assert.ok(slices.size >= 15, `the first pings fell into ${slices.size} slices of 50 ms`);
    assert.ok(
      Math.max(...slices.values()) <= 4,
      `at most ${Math.max(...slices.values())} pings in one slice`,
    );
  });

  test('with broadcasts flowing, answering peers stay and a silent one is reaped', async () => {
    await start({ serverPingIntervalMs: 100 });
    const healthy = peer('/ws?client=alive');
    const zombie = peer('/websocket/zombie', { autoPong: false });
    let pings = 0;
    healthy.ws.on('ping', () => pings++);
    await Promise.all([healthy.opened, zombie.opened]);
    // A message every 5 ms: pings go out between broadcast frames.
    const publisher = setInterval(() => server!.source.publish('x'), 5);
    try {
      assert.equal(await zombie.closed, 1006, 'terminated after missing a pong');
      await new Promise((r) => setTimeout(r, 350));
    } finally {
      clearInterval(publisher);
    }
    assert.equal(healthy.ws.readyState, WebSocket.OPEN);
    assert.equal(server!.stats().zombies.reaped, 1);
    assert.ok(pings >= 3, `the healthy peer got ${pings} pings in ≥ 4 intervals`);
    const seqs = healthy.messages.filter((m) => m.seq !== undefined).map((m) => m.seq as number);
    assert.ok(seqs.length > 50, `${seqs.length} messages`);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => seqs[0] + i),
      'every broadcast arrived once, in order, pings in between',
    );
  });

  test('not JSON and unknown type get an error message and the connection stays open', async () => {
    await start();
    const p = peer('/ws?client=a');
    await p.opened;
    p.ws.send('not json');
    p.ws.send(JSON.stringify({ type: 'subscribe' }));
    p.ws.send(JSON.stringify({ type: 'ping' }));
    p.ws.send(Buffer.from([0xff, 0x00]));
    await p.waitFor((m) => m.filter((x) => x.type === 'error').length === 4);
    const codes = p.messages.filter((x) => x.type === 'error').map((x) => x.code);
    // The binary frame is refused as binary (docs/wire.md), not read as text.
    assert.deepEqual(codes, ['PB_WS_BAD_JSON', 'PB_WS_UNKNOWN_TYPE', 'PB_WS_UNKNOWN_TYPE', 'PB_WS_BINARY']);
    const env = server!.source.publish('still here');
    await p.waitFor(() => p.envelopes().length === 1);
    assert.deepEqual(p.envelopes()[0], env);
  });

  test('a frame over maxPayload is closed with 1009; others keep being served', async () => {
    await start({ wsMaxPayloadBytes: 1024 });
    const other = peer('/ws?client=b');
    const big = peer('/ws?client=a');
    await Promise.all([other.opened, big.opened]);
    big.ws.send('x'.repeat(2000));
    assert.equal(await big.closed, 1009);
    server!.source.publish('after');
    await other.waitFor(() => other.envelopes().length === 1);
  });

  test('addressed pushes reach only their client (the article /websocket/:id)', async () => {
    await start();
    const a = peer('/websocket/11');
    const b = peer('/websocket/12');
    await Promise.all([a.opened, b.opened]);
    server!.source.publish('for 11', { to: '11' });
    server!.source.publish('all');
    await a.waitFor(() => a.envelopes().length === 2);
    await b.waitFor(() => b.envelopes().length === 1);
    assert.deepEqual(
      a.envelopes().map((e) => e.data),
      ['for 11', 'all'],
    );
    assert.deepEqual(
      b.envelopes().map((e) => e.data),
      ['all'],
    );
  });

  test('broadcast frames are byte-identical to what ws.send would produce, with deflate on too', async () => {
    await start({ perMessageDeflate: true });
    const plain = peer('/ws?client=p', { perMessageDeflate: false });
    const deflate = peer('/ws?client=d', { perMessageDeflate: true });
    await Promise.all([plain.opened, deflate.opened]);
    const sent = [];
    for (let i = 0; i < 50; i++) sent.push(server!.source.publish(`${i}`.repeat(i * 10)));
    await waitUntil(() => plain.envelopes().length === 50 && deflate.envelopes().length === 50);
    assert.deepEqual(plain.envelopes(), sent);
    assert.deepEqual(deflate.envelopes(), sent);
  });
});
