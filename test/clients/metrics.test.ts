import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { decodeHistogram } from '../../clients/histograms.ts';
import { mergeWorkerReports, Recorder, type WorkerReport } from '../../clients/metrics.ts';

/** A fixed second in the past: its buckets are untouched by the recorders' own 1-second tick. */
const BASE_MS = 1_700_000_000_000;

let recorders: Recorder[] = [];
afterEach(() => {
  for (const r of recorders) r.close();
  recorders = [];
});

function recorder(workerIndex: number): Recorder {
  const r = new Recorder({ workerIndex, protocol: 'websocket' });
  recorders.push(r);
  return r;
}

/** Deterministic pseudo-random latencies (ms) spanning 0.05 ms .. ~2 s, with a long tail. */
function samples(n: number, seed: number): Array<{ atMs: number; latencyMs: number; recovered: boolean }> {
  let x = seed;
  return Array.from({ length: n }, (_, i) => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    const u = x / 2 ** 31;
    return { atMs: BASE_MS + (i % 5) * 1000 + 500, latencyMs: 0.05 + u ** 4 * 2000, recovered: i % 7 === 0 };
  });
}

/** Only the synthetic seconds: each recorder may also hold a bucket for the real current second. */
function syntheticSeries(report: { timeseries: Array<{ atMs: number }> }) {
  return report.timeseries.filter((b) => b.atMs < BASE_MS + 10_000);
}

describe('Recorder snapshots and mergeWorkerReports', () => {
  it('merging two encoded workers equals recording everything into one (exact)', () => {
    const a = samples(5_000, 1);
    const b = samples(3_000, 2);
    const [ra, rb, all] = [recorder(0), recorder(1), recorder(0)];
    for (const s of a) ra.recordDelivery(s.atMs, s.atMs - s.latencyMs, s.recovered);
    for (const s of b) rb.recordDelivery(s.atMs, s.atMs - s.latencyMs, s.recovered);
    for (const s of [...a, ...b]) all.recordDelivery(s.atMs, s.atMs - s.latencyMs, s.recovered);
    // Through JSON, as over IPC.
    const wire = (r: Recorder): WorkerReport => JSON.parse(JSON.stringify(r.snapshot()));
    const merged = mergeWorkerReports([wire(ra), wire(rb)]);
    const single = mergeWorkerReports([wire(all)]);
    assert.deepEqual(merged.latencyMs, single.latencyMs);
    assert.deepEqual(merged.recoveredLatencyMs, single.recoveredLatencyMs);
    const hm = decodeHistogram(merged.histograms.steadyUs);
    const hs = decodeHistogram(single.histograms.steadyUs);
    assert.equal(hm.totalCount, a.length + b.length - merged.recoveredLatencyMs.count);
    for (const p of [0, 1, 10, 50, 90, 99, 99.9, 99.99, 100]) {
      assert.equal(hm.getValueAtPercentile(p), hs.getValueAtPercentile(p), `p${p}`);
    }
    assert.deepEqual(syntheticSeries(merged), syntheticSeries(single));
    assert.equal(syntheticSeries(merged).length, 5);
    assert.equal(merged.workers, 2);
  });

  it('adds counters, keeps every client and reconnect event, takes the worst event-loop p99', () => {
    const [ra, rb] = [recorder(0), recorder(1)];
    const ca = ra.addClient('a');
    const cb = rb.addClient('b');
    ca.delivered = 3;
    cb.delivered = 4;
    cb.duplicates = 2;
    ra.countError('timeout');
    rb.countError('timeout');
    rb.addReconnect({
      client: 'b',
      reason: 'heartbeat-timeout',
      lastGoodAtMs: 1,
      deadAtMs: 2,
      attempts: 0,
      resumeAfterSeq: 0,
    });
    const wa = ra.snapshot();
    const wb = rb.snapshot();
    wa.eventLoop.p99Ms = 12;
    wb.eventLoop.p99Ms = 70;
    const m = mergeWorkerReports([wa, wb]);
    assert.equal(m.totals.delivered, 7);
    assert.equal(m.totals.duplicates, 2);
    assert.equal(m.totals.clients, 2);
    assert.equal(m.totals.connectionsLost, 1);
    assert.deepEqual(m.errors, { timeout: 2 });
    assert.deepEqual(
      m.clients.map((c) => c.id),
      ['a', 'b'],
    );
    assert.equal(m.reconnects[0].client, 'b');
    assert.equal(m.eventLoop.p99Ms, 70);
    assert.deepEqual(m.eventLoop.perWorkerP99Ms, [12, 70]);
  });

  it('an empty merge is all zeros, not an exception', () => {
    const m = mergeWorkerReports([]);
    assert.equal(m.latencyMs.count, 0);
    assert.equal(m.totals.delivered, 0);
    assert.deepEqual(m.timeseries, []);
  });
});
