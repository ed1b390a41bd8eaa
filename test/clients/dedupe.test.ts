import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient } from '../../clients/registry.ts';
import type { Envelope } from '../../core/types.ts';
import { envelope, nextEvent, rawHttpServer, rawWsServer, until } from './helpers.ts';

type Closer = () => Promise<void> | void;
let cleanups: Closer[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function recorder(): Recorder {
  const r = new Recorder();
  cleanups.push(() => r.close());
  return r;
}

describe('dedupe and ordering', () => {
  it('websocket: repeats are dropped and counted, late arrivals counted out of order', async () => {
    const { wss, url, close } = await rawWsServer();
    cleanups.push(close);
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'hello', lastSeq: 0, oldestSeq: 1 }));
      for (const seq of [1, 2, 2, 3, 5, 4, 1, 5, 6]) ws.send(JSON.stringify(envelope(seq)));
    });
    const rec = recorder();
    const c = createClient(clientConfig({ id: 'dup', protocol: 'websocket', baseUrl: url }), rec);
    cleanups.push(() => c.stop());
    const got: number[] = [];
    c.on('message', (env: Envelope) => got.push(env.seq));
    c.start();
    await until('6 unique messages', () => got.length === 6);
    await until('all 9 frames seen', () => {
      const s = rec.snapshot().clients[0];
      return s.duplicates + s.delivered === 9;
    });
    assert.deepEqual(got, [1, 2, 3, 5, 4, 6]);
    const [s] = rec.snapshot().clients;
    assert.deepEqual([s.delivered, s.duplicates, s.outOfOrder, s.lastSeq], [6, 3, 1, 6]);
  });

  it('short-poll: an answer overlapping the previous one delivers each seq once', async () => {
    const sinces: string[] = [];
    // Every answer repeats the two previous messages (a resume that overlaps).
    const { url, close } = await rawHttpServer((req, res) => {
      const since = new URL(req.url ?? '/', 'http://x').searchParams.get('since');
      sinces.push(since ?? '');
      const after = since === null ? 0 : Number(since);
      const lastSeq = since === null ? 0 : Math.min(after + 2, 8);
      const messages = [];
      for (let seq = Math.max(1, after - 1); seq <= lastSeq; seq++) messages.push(envelope(seq));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messages: since === null ? [] : messages, lastSeq, oldestSeq: 1 }));
    });
    cleanups.push(close);
    const rec = recorder();
    const c = createClient(
      clientConfig({ id: 'overlap', protocol: 'short-poll', baseUrl: url }, { pollIntervalMs: 20 }),
      rec,
    );
    cleanups.push(() => c.stop());
    const got: number[] = [];
    c.on('message', (env: Envelope) => got.push(env.seq));
    c.start();
    await nextEvent(c, 'open', 5_000);
    await until(
      '8 unique messages and a few repeats',
      () => got.length === 8 && rec.snapshot().clients[0].duplicates >= 8,
    );
    assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8]);
    const [s] = rec.snapshot().clients;
    assert.equal(s.outOfOrder, 0);
    assert.equal(s.highWaterSeq, 8);
    assert.deepEqual(sinces.slice(0, 4), ['', '0', '2', '4'], 'each poll resumes from the last answer');
  });
});
