/**
 * Requests per second (results.json requests.perSecond): requests sent inside the measured
 * window over its length. Ramp-up, warm-up and the time after the window (drain) send
 * requests too; they count in `total` but not in the rate.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Fleet } from '../../clients/fleet.ts';
import { mergeWorkerReports } from '../../clients/merge.ts';
import { nowMs } from '../../core/clock.ts';
import { aggregateRun } from '../../runner/aggregate.ts';
import type { RunningServer } from '../../servers/app.ts';
import { testServer } from '../servers/helpers.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('requests per second', () => {
  let server: RunningServer;
  before(async () => {
    server = await testServer({ ratePerS: 0 });
  });
  after(async () => {
    await server.close();
  });

  test('counts only the requests sent inside the measured window', async () => {
    const clients = 4;
    const intervalMs = 100;
    const startMs = nowMs();
    const measureStartMs = startMs + 600;
    const durationMs = 1_000;
    const fleet = new Fleet({
      workerIndex: 0,
      protocol: 'short-poll',
      clientIds: Array.from({ length: clients }, (_, i) => `r${i}`),
      targetUrl: server.url,
      rampUpMs: 0,
      warmUpEndsAtMs: measureStartMs,
      measureEndsAtMs: measureStartMs + durationMs,
      pollIntervalMs: intervalMs,
    });
    fleet.start();
    // 600 ms before the window, 1 s in it, 800 ms after it (as a drain would).
    await sleep(measureStartMs + durationMs + 800 - nowMs());
    const report = await fleet.stop();
    const merged = mergeWorkerReports([report]);
    const run = aggregateRun({
      protocol: 'short-poll',
      clients,
      durationMs,
      measureStartMs,
      merged,
      expectedByClient: Array(clients).fill(0),
      samples: [],
      baselineRssMB: 0,
      faults: [],
      zombieEvents: [],
      saturationMs: 50,
    });
    const expectedRate = (clients * 1000) / intervalMs; // 40/s
    assert.ok(run.requests.total >= 2 * expectedRate, `total ${run.requests.total} over ~2.4 s`);
    assert.ok(
      run.requests.perSecond !== undefined && Math.abs(run.requests.perSecond - expectedRate) <= 8,
      `requests.perSecond ${run.requests.perSecond} vs ${expectedRate} (total ÷ window: ${(run.requests.total * 1000) / durationMs})`,
    );
  });
});
