/**
 * The counters the other figures hide reach results.json (runs[].counters) and the report:
 * negative latencies (clock skew, recorded as 1 µs), connections lost and never reopened,
 * messages lost to resume gaps, warm-up deliveries kept out of the histograms.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeWorkerReports, Recorder } from '../../clients/metrics.ts';
import { nowMs } from '../../core/clock.ts';
import { resultsProblems } from '../../core/results-schema.ts';
import type { Results } from '../../core/types.ts';
import { renderReport } from '../../reports/render.ts';
import { aggregateRun } from '../../runner/aggregate.ts';
import { markupOnly } from '../helpers/report-html.ts';
import { loadFixture } from '../reports/fixtures.ts';

describe('hidden counters', () => {
  test('reach results.json and the report', () => {
    const start = nowMs();
    const rec = new Recorder({ protocol: 'websocket', warmUpEndsAtMs: start + 1_000 });
    try {
      const a = rec.addClient('a');
      const b = rec.addClient('b');
      // Two deliveries in the warm-up, then three with t 5 ms in the receiver's future (skew).
      rec.recordDelivery(start, start - 2, false);
      rec.recordDelivery(start + 1, start - 1, false);
      for (let i = 0; i < 3; i++) rec.recordDelivery(start + 2_000 + i, start + 2_005 + i, false);
      a.delivered = 3;
      b.delivered = 2;
      // b resumed from too far back: 4 messages were gone from the retention window.
      b.gapsLost = 4;
      // Three connections died; only a's first reopened.
      const e1 = rec.addReconnect({
        client: 'a',
        deadAtMs: start + 2_100,
        lastGoodAtMs: start + 2_000,
        reason: 'x',
        attempts: 0,
        resumeAfterSeq: 0,
      });
      e1.openAtMs = start + 2_200;
      a.reconnects = 1;
      rec.addReconnect({
        client: 'a',
        deadAtMs: start + 2_500,
        lastGoodAtMs: start + 2_400,
        reason: 'x',
        attempts: 0,
        resumeAfterSeq: 0,
      });
      rec.addReconnect({
        client: 'b',
        deadAtMs: start + 2_500,
        lastGoodAtMs: start + 2_400,
        reason: 'x',
        attempts: 0,
        resumeAfterSeq: 0,
      });
      const run = aggregateRun({
        protocol: 'websocket',
        clients: 2,
        durationMs: 3_000,
        measureStartMs: start + 1_000,
        merged: mergeWorkerReports([JSON.parse(JSON.stringify(rec.snapshot()))]),
        expectedByClient: [3, 6],
        samples: [],
        baselineRssMB: 0,
        faults: [],
        zombieEvents: [],
        saturationMs: 50,
      });
      assert.deepEqual(run.counters, {
        negativeLatencies: 3,
        connectionsLost: 3,
        neverReopened: 2,
        gapsLost: 4,
        warmUpSkipped: 2,
      });
      const results = loadFixture() as Results;
      results.runs = [run];
      assert.deepEqual(resultsProblems(results), []);
      const page = markupOnly(renderReport(results));
      assert.match(page, /websocket: 3 latencies below zero<\/strong>/);
      assert.ok(page.includes('negative latencies: 3 (clock skew, recorded as 1 µs)'));
      assert.ok(page.includes('connections lost: 3, never reopened: 2'));
      assert.ok(page.includes('lost to resume gaps: 4 (beyond the retention window)'));
      assert.ok(page.includes('warm-up deliveries kept out of latency: 2'));
    } finally {
      rec.close();
    }
  });
});
