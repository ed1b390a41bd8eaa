import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, it } from 'node:test';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient } from '../../clients/registry.ts';
import { envelope, nextEvent, rawHttpServer } from './helpers.ts';

const KEEP_ALIVE_MS = 200;
const IDLE_FACTOR = 2;
/**
 * Timers on a busy 2-core machine: detection may be late by this much, never early by more than
 * 20 ms. Less than one keep-alive period: a detection one full period late fails.
 */
const LATE_TOLERANCE_MS = 100;

type Closer = () => Promise<void> | void;
let cleanups: Closer[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('sse idle timeout', () => {
  it('a server that goes silent is declared dead after idleFactor × keepAlive; the client resumes with Last-Event-ID', async (t) => {
    const lastEventIds: Array<string | undefined> = [];
    let lastByteAtMs = 0;
    const { url, close } = await rawHttpServer((req, res: ServerResponse) => {
      lastEventIds.push(req.headers['last-event-id'] as string | undefined);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const lastSeq = lastEventIds.length === 1 ? 4 : 5;
      res.write(`retry: 1000\n\nevent: hello\ndata: {"type":"hello","lastSeq":${lastSeq},"oldestSeq":1}\n\n`);
      res.write(': ka\n\n');
      const env = envelope(5);
      res.write(`id: 5\ndata: ${JSON.stringify(env)}\n\n`);
      lastByteAtMs = performance.timeOrigin + performance.now();
      // …and then silence: no keep-alive, no FIN.
    });
    cleanups.push(close);
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = createClient(
      clientConfig(
        { id: 'quiet', protocol: 'sse', baseUrl: url },
        { sseKeepAliveMs: KEEP_ALIVE_MS, sseIdleFactor: IDLE_FACTOR, backoff: { initialMs: 50, jitter: 0 } },
      ),
      recorder,
    );
    cleanups.push(() => c.stop());
    c.start();
    await nextEvent(c, 'open', 5_000);
    const [reason, deadAtMs] = await nextEvent<[string, number]>(c, 'dead', 5_000);
    assert.equal(reason, 'idle-timeout');
    const silentMs = deadAtMs - lastByteAtMs;
    const idleMs = KEEP_ALIVE_MS * IDLE_FACTOR;
    t.diagnostic(`dead after ${silentMs.toFixed(0)} ms of silence (idle timeout ${idleMs} ms)`);
    assert.ok(
      silentMs >= idleMs - 20 && silentMs <= idleMs + LATE_TOLERANCE_MS,
      `dead after ${silentMs.toFixed(0)} ms of silence (idle timeout ${idleMs} ms)`,
    );
    await nextEvent(c, 'open', 5_000);
    assert.deepEqual(lastEventIds, [undefined, '5']);
    const [stats] = recorder.snapshot().clients;
    assert.equal(stats.subscribedAfterSeq, 4);
    assert.equal(stats.delivered, 1, 'the repeat of seq 5 on the second stream is a duplicate');
    assert.equal(stats.duplicates, 1);
  });
});
