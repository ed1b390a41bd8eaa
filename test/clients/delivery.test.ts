import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient, type PushClient } from '../../clients/registry.ts';
import { type Envelope, PROTOCOLS } from '../../core/types.ts';
import { type RunningServer, startServer } from '../../servers/app.ts';
import { nextEvent, until } from './helpers.ts';

const FAST = { pollIntervalMs: 50, longPollWaitMs: 2_000, sseKeepAliveMs: 1_000 };

describe('clients against the real server', () => {
  let server: RunningServer;
  let recorder: Recorder;
  let clients: PushClient[] = [];

  before(async () => {
    server = await startServer({ port: 0, ratePerS: 0, protocols: [...PROTOCOLS] });
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    clients = [];
    recorder?.close();
  });
  after(() => server.close());

  function client(
    protocol: (typeof PROTOCOLS)[number],
    id: string,
    headers: 'minimal' | 'browser' = 'minimal',
  ) {
    const c = createClient(
      clientConfig({ id, protocol, baseUrl: server.url }, { ...FAST, headers }),
      recorder,
    );
    clients.push(c);
    return c;
  }

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: receives every message for it, in order, once`, async () => {
      recorder = new Recorder({ protocol });
      const id = `del-${protocol}`;
      const c = client(protocol, id);
      const got: Envelope[] = [];
      c.on('message', (env: Envelope) => got.push(env));
      const opened = nextEvent(c, 'open', 5_000);
      c.start();
      await opened;
      const subscribed = c.subscribedAfterSeq!;
      assert.equal(subscribed, server.source.lastSeq, 'subscribes at the current lastSeq');
      const expected: number[] = [];
      for (let i = 0; i < 30; i++) {
        const to = i % 6 === 1 ? id : i % 6 === 2 ? 'someone-else' : undefined;
        const env = server.source.publish(`payload-${i}-é`, to ? { to } : {});
        if (to !== 'someone-else') expected.push(env.seq);
      }
      await until(`${protocol} delivered ${expected.length}`, () => got.length >= expected.length);
      assert.deepEqual(
        got.map((e) => e.seq),
        expected,
      );
      const [stats] = recorder.snapshot().clients;
      assert.equal(stats.delivered, expected.length);
      assert.equal(stats.duplicates, 0);
      assert.equal(stats.outOfOrder, 0);
      assert.equal(stats.highWaterSeq, server.source.lastSeq);
      assert.equal(
        stats.payloadBytes,
        got.reduce((n, e) => n + Buffer.byteLength(e.data), 0),
      );
      assert.ok(stats.bytesIn > stats.payloadBytes, 'socket bytes include framing');
      assert.ok(stats.bytesOut > 0);
      if (protocol.endsWith('poll')) assert.ok(stats.requests >= 2 && stats.emptyResponses >= 1);
    });
  }

  it("websocket on the article's /websocket/:client path", async () => {
    recorder = new Recorder({ protocol: 'websocket' });
    const c = createClient(
      clientConfig({ id: 'article', protocol: 'websocket', baseUrl: server.url }, { wsPath: 'websocket' }),
      recorder,
    );
    clients.push(c);
    const got: number[] = [];
    c.on('message', (env: Envelope) => got.push(env.seq));
    c.start();
    await nextEvent(c, 'open', 5_000);
    const env = server.source.publish('hi', { to: 'article' });
    await until('addressed message delivered', () => got.length === 1);
    assert.deepEqual(got, [env.seq]);
  });

  it('socket bytes equal what the server counted; browser headers cost several hundred bytes per request', async (t) => {
    // A server of its own: no socket of an earlier test settles into its counters.
    const own = await startServer({ port: 0, ratePerS: 0, protocols: ['short-poll'] });
    t.after(() => own.close());
    recorder = new Recorder({ protocol: 'short-poll' });
    const serverBytes = () => own.stats().protocols['short-poll']!;
    const settings = { ...FAST, pollIntervalMs: 100 };
    const minimal = createClient(
      clientConfig(
        { id: 'hdr-minimal', protocol: 'short-poll', baseUrl: own.url },
        { ...settings, headers: 'minimal' },
      ),
      recorder,
    );
    const browser = createClient(
      clientConfig(
        { id: 'hdr-browser', protocol: 'short-poll', baseUrl: own.url },
        { ...settings, headers: 'browser' },
      ),
      recorder,
    );
    clients.push(minimal, browser);
    minimal.start();
    browser.start();
    const snap = () => recorder.snapshot().clients;
    // Stop between polls (every request answered: no message is published, so every answer is
    // empty), else an answer in flight is counted by the server and never read by the client.
    await until('10 polls each, none in flight', () =>
      snap().every((c) => c.requests >= 10 && c.emptyResponses === c.requests),
    );
    await Promise.all([minimal.stop(), browser.stop()]);
    const [m, b] = snap();
    await until(
      'server counted the same bytes',
      () => {
        const now = serverBytes();
        return now.bytesSent === m.bytesIn + b.bytesIn && now.bytesReceived === m.bytesOut + b.bytesOut;
      },
      2_000,
    );
    const perRequest = (c: typeof m & object) => c.bytesOut / c.requests;
    const extra = perRequest(b) - perRequest(m);
    t.diagnostic(
      `request bytes: minimal ${perRequest(m).toFixed(0)} B, browser ${perRequest(b).toFixed(0)} B`,
    );
    assert.ok(extra >= 400 && extra <= 1_500, `browser profile adds ${extra.toFixed(0)} B per request`);
  });
});
