/**
 * The host's side of a page without a browser: batches as a page sends them land in the
 * Recorder like a Node client's measurements (latencies, counters, events updated in place,
 * errors), and the page's bytes are the proxy's, counted from startCounting() on only.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { PageRecorder } from '../../../clients/browser/page-recorder.ts';
import type { PageBatch } from '../../../clients/browser/types.ts';
import { decodeHistogram } from '../../../clients/histograms.ts';
import { Recorder } from '../../../clients/metrics.ts';
import { Resources, readExactly } from '../../network/helpers.ts';

const res = new Resources();
let recorder: Recorder | undefined;
afterEach(async () => {
  recorder?.close();
  await res.closeAll();
});

function batch(over: Partial<PageBatch> = {}): PageBatch {
  return {
    id: 'b1',
    atMs: Date.now(),
    stats: {
      subscribedAfterSeq: 10,
      lastSeq: 12,
      highWaterSeq: 12,
      delivered: 2,
      recovered: 0,
      duplicates: 1,
      outOfOrder: 0,
      gapsLost: 0,
      payloadBytes: 128,
      requests: 0,
      emptyResponses: 0,
      reconnects: 0,
      connected: true,
    },
    deliveries: [],
    pings: [],
    errors: {},
    events: [],
    timerLag: { count: 10, p99Ms: 2, maxMs: 3 },
    ...over,
  };
}

describe('PageRecorder', () => {
  test('bytes come from the proxy, page load excluded, frozen at destroy', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    recorder = new Recorder({ protocol: 'websocket' });
    const page = new PageRecorder(recorder, 'b1', proxy);
    const { client, server } = await res.pair(port, target);
    // "Page load": 100 bytes up, 1000 down before counting starts.
    client.write(Buffer.alloc(100));
    await readExactly(server, 100);
    server.write(Buffer.alloc(1000));
    await readExactly(client, 1000);
    page.startCounting();
    client.write(Buffer.alloc(30));
    await readExactly(server, 30);
    server.write(Buffer.alloc(70));
    await readExactly(client, 70);
    const counted = recorder.snapshot().clients[0];
    assert.deepEqual([counted.bytesIn, counted.bytesOut], [70, 30]);
    page.bytes.destroy();
    server.write(Buffer.alloc(500));
    await readExactly(client, 500);
    const t = recorder.snapshot().totals;
    assert.equal(t.bytesIn, 70, 'frozen after destroy');
    assert.equal(t.bytesOut, 30);
    assert.equal(page.bytes.connections, 0, 'the connection was opened before counting started');
  });

  test('deliveries, pings, errors and events of batches land in the Recorder', async () => {
    const target = await res.target();
    const { proxy } = await res.proxy(target);
    recorder = new Recorder({ protocol: 'websocket' });
    const page = new PageRecorder(recorder, 'b1', proxy);
    const t = Date.now();
    const event = {
      client: 'b1',
      reason: 'heartbeat-timeout',
      lastGoodAtMs: t,
      deadAtMs: t + 1,
      attempts: 0,
      resumeAfterSeq: 12,
    };
    page.apply(
      batch({
        deliveries: [t + 5, t, 0, t + 12, t + 10, 1],
        pings: [t, 1.5],
        errors: { 'heartbeat-timeout': 2 },
        events: [[0, { ...event, closeCalledAtMs: t + 1 }]],
      }),
    );
    // The same event (index 0) completed later: updated in place, not added again.
    page.apply(
      batch({
        events: [[0, { ...event, closeCompletedAtMs: t + 60_000, closeCode: 1006, openAtMs: t + 60_100 }]],
      }),
    );
    page.apply({ nonsense: true } as unknown as PageBatch);
    const snap = recorder.snapshot();
    assert.equal(snap.totals.delivered, 2);
    assert.equal(snap.totals.duplicates, 1);
    assert.equal(snap.totals.payloadBytes, 128);
    assert.equal(snap.totals.connected, 1);
    assert.equal(snap.clients[0].subscribedAfterSeq, 10);
    const steady = decodeHistogram(snap.histograms.steadyUs);
    const recovered = decodeHistogram(snap.histograms.recoveredUs);
    assert.equal(steady.totalCount, 1);
    assert.ok(Math.abs(steady.maxValue - 5_000) <= 5, `5 ms latency, got ${steady.maxValue} µs`);
    assert.equal(recovered.totalCount, 1);
    assert.equal(decodeHistogram(snap.histograms.pingRttUs).totalCount, 1);
    assert.deepEqual(snap.errors, { 'heartbeat-timeout': 2, 'bad-batch': 1 });
    assert.equal(snap.reconnects.length, 1);
    assert.equal(snap.reconnects[0].closeCompletedAtMs, t + 60_000);
    assert.equal((snap.reconnects[0] as { closeCalledAtMs?: number }).closeCalledAtMs, t + 1);
    assert.deepEqual(page.timerLag, { count: 10, p99Ms: 2, maxMs: 3 });
  });
});
