import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeHistogram } from '../../clients/histograms.ts';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient } from '../../clients/registry.ts';
import { nowMs } from '../../core/clock.ts';
import { envelope, rawWsServer, until } from './helpers.ts';

const AGE_MS = 50;
/** Loopback delivery and a busy event loop may add this much on top of the envelope's age. */
const TOLERANCE_MS = 50;
/** HDR precision: 3 significant digits. */
const PRECISION_MS = 0.1;

type Closer = () => Promise<void> | void;
let cleanups: Closer[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function ageingServer(count: number): Promise<string> {
  const { wss, url, close } = await rawWsServer();
  cleanups.push(close);
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'hello', lastSeq: 0, oldestSeq: 1 }));
    let seq = 0;
    const timer = setInterval(() => {
      // Published AGE_MS ago, as far as the envelope says.
      ws.send(JSON.stringify(envelope(++seq, 'x', nowMs() - AGE_MS)));
      if (seq === count) clearInterval(timer);
    }, 5);
    ws.on('close', () => clearInterval(timer));
  });
  return url;
}

describe('latency recording', () => {
  it('records receive time − envelope t, in µs, within the stated tolerance', async (t) => {
    const url = await ageingServer(20);
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = createClient(clientConfig({ id: 'lat', protocol: 'websocket', baseUrl: url }), recorder);
    cleanups.push(() => c.stop());
    c.start();
    await until('20 delivered', () => recorder.delivered === 20);
    const h = decodeHistogram(recorder.snapshot().histograms.steadyUs);
    assert.equal(h.totalCount, 20);
    const minMs = h.minNonZeroValue / 1000;
    const maxMs = h.maxValue / 1000;
    t.diagnostic(`recorded ${minMs.toFixed(3)} .. ${maxMs.toFixed(3)} ms for envelopes aged ${AGE_MS} ms`);
    assert.ok(minMs >= AGE_MS - PRECISION_MS, `min ${minMs} ms ≥ ${AGE_MS} ms`);
    assert.ok(maxMs <= AGE_MS + TOLERANCE_MS, `max ${maxMs} ms ≤ ${AGE_MS} + ${TOLERANCE_MS} ms`);
    // Loopback delivery itself is sub-millisecond: the median is the age, not the age + 50 ms.
    const p50Ms = h.getValueAtPercentile(50) / 1000;
    assert.ok(p50Ms <= AGE_MS + 5, `p50 ${p50Ms} ms ≤ ${AGE_MS} + 5 ms`);
  });

  it('across processes: envelopes stamped by a real server process read loopback-small and never negative', async (t) => {
    // The server (pushbench serve) stamps t with its clock, this process reads its own: a
    // process-relative clock on either side would be off by the processes' start-time gap.
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/pushbench.ts',
        'serve',
        '--port',
        '0',
        '--rate',
        '50/s',
        '--protocols',
        'websocket',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await gone;
      }
    });
    await until('the server lists its endpoints', () => /on http:\/\/127\.0\.0\.1:\d+/.test(out), 20_000);
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = createClient(clientConfig({ id: 'xproc', protocol: 'websocket', baseUrl: url }), recorder);
    cleanups.push(() => c.stop());
    c.start();
    await until('40 delivered', () => recorder.delivered >= 40, 10_000);
    const snap = recorder.snapshot();
    const h = decodeHistogram(snap.histograms.steadyUs);
    const p50Ms = h.getValueAtPercentile(50) / 1000;
    const maxMs = h.maxValue / 1000;
    t.diagnostic(
      `cross-process: p50 ${p50Ms} ms, p90 ${h.getValueAtPercentile(90) / 1000} ms, max ${maxMs} ms over ${h.totalCount}`,
    );
    assert.equal(snap.totals.negativeLatencies, 0, 'no message received before it was published');
    assert.ok(h.totalCount >= 40);
    assert.ok(p50Ms > 0 && p50Ms < 10, `p50 ${p50Ms} ms on loopback`);
    // The first deliveries meet a cold client (JIT, connect): the p90, not the max.
    const p90Ms = h.getValueAtPercentile(90) / 1000;
    assert.ok(p90Ms < 50, `p90 ${p90Ms} ms on loopback`);
  });

  it('warm-up: deliveries count, latencies stay out of the histograms', async () => {
    const url = await ageingServer(5);
    const recorder = new Recorder({ warmUpEndsAtMs: nowMs() + 60_000 });
    cleanups.push(() => recorder.close());
    const c = createClient(clientConfig({ id: 'warm', protocol: 'websocket', baseUrl: url }), recorder);
    cleanups.push(() => c.stop());
    c.start();
    await until('5 delivered', () => recorder.delivered === 5);
    const snap = recorder.snapshot();
    assert.equal(snap.histograms.steadyUs, '', 'nothing recorded during warm-up');
    assert.equal(snap.totals.warmUpSkipped, 5);
    assert.equal(
      snap.timeseries.reduce((n, b) => n + b.delivered, 0),
      5,
      'the time series still shows them',
    );
  });

  it('a negative latency (clock skew) is clamped to the lowest bound and counted', () => {
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const now = nowMs();
    recorder.recordDelivery(now, now + 5, false);
    recorder.recordDelivery(now, now - 2, true);
    const snap = recorder.snapshot();
    assert.equal(snap.totals.negativeLatencies, 1);
    const steady = decodeHistogram(snap.histograms.steadyUs);
    assert.equal(steady.totalCount, 1);
    assert.equal(steady.maxValue, 1, '1 µs, the lowest bound');
    assert.equal(decodeHistogram(snap.histograms.recoveredUs).maxValue, 2000, 'recovered kept apart');
  });
});
