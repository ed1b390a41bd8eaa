import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, it } from 'node:test';
import { decodeHistogram } from '../../clients/histograms.ts';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient, type PushClient } from '../../clients/registry.ts';
import type { ReconnectEvent } from '../../clients/report-types.ts';
import { startServer } from '../../servers/app.ts';
import { envelope, nextEvent, rawWsServer } from './helpers.ts';

const INTERVAL_MS = 300;
const TIMEOUT_MS = 300;
/**
 * Timers on a busy 2-core machine: detection may be late by this much, never early by more than
 * 50 ms. Half a heartbeat interval: a detection one full period late fails.
 */
const LATE_TOLERANCE_MS = 150;
const CLOSE_TIMEOUT_MS = 1_500;

type Closer = () => Promise<void> | void;
let cleanups: Closer[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function wsClient(baseUrl: string, giveUp: 'terminate' | 'close', recorder: Recorder): PushClient {
  const c = createClient(
    clientConfig(
      { id: `hb-${giveUp}`, protocol: 'websocket', baseUrl },
      {
        heartbeat: {
          intervalMs: INTERVAL_MS,
          timeoutMs: TIMEOUT_MS,
          giveUp,
          closeTimeoutMs: CLOSE_TIMEOUT_MS,
        },
        backoff: { initialMs: 50, jitter: 0 },
      },
    ),
    recorder,
  );
  cleanups.push(() => c.stop());
  return c;
}

describe('websocket heartbeat', () => {
  it('text form: a target that stops answering "ping" with "pong" is declared dead within interval + timeout', async () => {
    const { wss, url, close } = await rawWsServer();
    cleanups.push(close);
    let answering = true;
    const got: string[] = [];
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'hello', lastSeq: 0, oldestSeq: 1 }));
      ws.on('message', (d) => {
        got.push(d.toString());
        if (answering && d.toString() === 'ping') ws.send('pong');
      });
    });
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = createClient(
      clientConfig(
        { id: 'hb-text', protocol: 'websocket', baseUrl: url },
        {
          heartbeat: { form: 'text', intervalMs: INTERVAL_MS, timeoutMs: TIMEOUT_MS },
          backoff: { initialMs: 50 },
        },
      ),
      recorder,
    );
    cleanups.push(() => c.stop());
    c.start();
    await nextEvent(c, 'open', 5_000);
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS + 50));
    assert.equal(c.connected, true, 'answered text pings keep it alive');
    const rtt = decodeHistogram(recorder.snapshot().histograms.pingRttUs);
    assert.ok(rtt.totalCount >= 2, `${rtt.totalCount} pong round trips recorded`);
    assert.ok(got.length >= 2 && got.every((f) => f === 'ping'), `frames sent: ${got.join(',')}`);
    answering = false;
    const stoppedAt = Date.now();
    const [reason, deadAtMs] = await nextEvent<[string, number]>(c, 'dead', 5_000);
    assert.equal(reason, 'heartbeat-timeout');
    const detectMs = deadAtMs - stoppedAt;
    // The next ping leaves within one interval of the stop; no pong within the timeout → dead.
    assert.ok(
      detectMs >= TIMEOUT_MS - 50 && detectMs <= INTERVAL_MS + TIMEOUT_MS + LATE_TOLERANCE_MS,
      `dead after ${detectMs.toFixed(0)} ms (bound ${TIMEOUT_MS}..${INTERVAL_MS + TIMEOUT_MS} ms + ${LATE_TOLERANCE_MS})`,
    );
    assert.equal(recorder.snapshot().errors['stray-pong'] ?? 0, 0);
  });

  for (const form of ['text', 'protocol'] as const) {
    it(`${form} form against pushbench's own server: pongs come back, the connection stays alive`, async () => {
      const server = await startServer({ port: 0, ratePerS: 0, protocols: ['websocket'] });
      cleanups.push(() => server.close());
      const recorder = new Recorder();
      cleanups.push(() => recorder.close());
      const c = createClient(
        clientConfig(
          { id: `rtt-${form}`, protocol: 'websocket', baseUrl: server.url },
          { heartbeat: { form, intervalMs: 50, timeoutMs: 1_000 } },
        ),
        recorder,
      );
      cleanups.push(() => c.stop());
      c.start();
      await nextEvent(c, 'open', 5_000);
      const deadline = Date.now() + 5_000;
      let rtt = decodeHistogram(recorder.snapshot().histograms.pingRttUs);
      while (rtt.totalCount < 5 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        rtt = decodeHistogram(recorder.snapshot().histograms.pingRttUs);
      }
      assert.ok(rtt.totalCount >= 5, `${rtt.totalCount} pongs`);
      assert.equal(c.connected, true);
      const errors = recorder.snapshot().errors;
      assert.deepEqual(errors, {}, `no errors: ${JSON.stringify(errors)}`);
    });
  }

  it('a server that stops answering pings is declared dead within interval + timeout, then resumed', async (t) => {
    const { wss, url, close } = await rawWsServer();
    cleanups.push(close);
    const urls: string[] = [];
    wss.on('connection', (ws, req: IncomingMessage) => {
      urls.push(req.url ?? '');
      ws.send(JSON.stringify({ type: 'hello', lastSeq: 0, oldestSeq: 1 }));
      for (let seq = 1; seq <= 3; seq++) ws.send(JSON.stringify(envelope(seq)));
      // pings are read and ignored: no pong ever
    });
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = wsClient(url, 'terminate', recorder);
    const opened = nextEvent<[number]>(c, 'open', 5_000);
    c.start();
    const [openAtMs] = await opened;
    const [reason, deadAtMs] = await nextEvent<[string, number]>(c, 'dead', 5_000);
    assert.equal(reason, 'heartbeat-timeout');
    const detectMs = deadAtMs - openAtMs;
    const budgetMs = INTERVAL_MS + TIMEOUT_MS;
    t.diagnostic(
      `dead ${detectMs.toFixed(0)} ms after open (interval ${INTERVAL_MS} + timeout ${TIMEOUT_MS})`,
    );
    assert.ok(
      detectMs >= budgetMs - 50 && detectMs <= budgetMs + LATE_TOLERANCE_MS,
      `dead after ${detectMs.toFixed(0)} ms, budget ${budgetMs} ms (+${LATE_TOLERANCE_MS} / -50)`,
    );
    await nextEvent(c, 'open', 5_000);
    assert.equal(urls.length, 2);
    assert.match(urls[1], /[?&]since=3(&|$)/, 'resumes after the last seq it got');
  });

  it("'close' give-up on a peer that stopped reading waits for the close timeout; 'terminate' does not", async (t) => {
    const { wss, url, close } = await rawWsServer();
    cleanups.push(close);
    wss.on('connection', (ws, req: IncomingMessage) => {
      ws.send(JSON.stringify({ type: 'hello', lastSeq: 0, oldestSeq: 1 }));
      req.socket.pause(); // a dead peer: nothing it is sent is ever read, no close handshake
    });
    const measure = async (giveUp: 'terminate' | 'close'): Promise<ReconnectEvent> => {
      const recorder = new Recorder();
      cleanups.push(() => recorder.close());
      const c = wsClient(url, giveUp, recorder);
      c.start();
      await nextEvent(c, 'open', 5_000);
      await nextEvent(c, 'dead', 5_000);
      await nextEvent(c, 'open', CLOSE_TIMEOUT_MS + 5_000);
      await c.stop();
      return recorder.snapshot().reconnects[0];
    };
    const terminated = await measure('terminate');
    const closed = await measure('close');
    const reconnectMs = (e: ReconnectEvent): number => e.openAtMs! - e.deadAtMs;
    assert.equal(terminated.closeCompletedAtMs, undefined);
    assert.ok(
      reconnectMs(terminated) < 500,
      `terminate reconnected in ${reconnectMs(terminated).toFixed(0)} ms`,
    );
    const closeWaitMs = closed.closeCompletedAtMs! - closed.deadAtMs;
    t.diagnostic(
      `reconnect after dead: terminate ${reconnectMs(terminated).toFixed(0)} ms, close ${reconnectMs(closed).toFixed(0)} ms ` +
        `(close completed after ${closeWaitMs.toFixed(0)} ms, closeTimeout ${CLOSE_TIMEOUT_MS} ms)`,
    );
    assert.ok(
      closeWaitMs >= CLOSE_TIMEOUT_MS - 50 && closeWaitMs <= CLOSE_TIMEOUT_MS + LATE_TOLERANCE_MS,
      `close completed ${closeWaitMs.toFixed(0)} ms after dead (close timeout ${CLOSE_TIMEOUT_MS} ms)`,
    );
    assert.ok(
      reconnectMs(closed) - reconnectMs(terminated) >= CLOSE_TIMEOUT_MS - 300,
      `close mode slower by ${(reconnectMs(closed) - reconnectMs(terminated)).toFixed(0)} ms`,
    );
  });

  it('records ping round trips against the real server', async () => {
    const server = await startServer({ port: 0, ratePerS: 0, protocols: ['websocket'] });
    cleanups.push(() => server.close());
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = createClient(
      clientConfig(
        { id: 'rtt', protocol: 'websocket', baseUrl: server.url },
        { heartbeat: { intervalMs: 50 } },
      ),
      recorder,
    );
    cleanups.push(() => c.stop());
    c.start();
    await nextEvent(c, 'open', 5_000);
    const deadline = Date.now() + 5_000;
    let rtt = decodeHistogram(recorder.snapshot().histograms.pingRttUs);
    while (rtt.totalCount < 5 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      rtt = decodeHistogram(recorder.snapshot().histograms.pingRttUs);
    }
    assert.ok(rtt.totalCount >= 5, `${rtt.totalCount} pongs`);
    assert.ok(rtt.getValueAtPercentile(50) < 50_000, 'loopback RTT well under 50 ms');
    assert.equal(c.connected, true, 'a server that answers keeps the connection alive');
  });
});
