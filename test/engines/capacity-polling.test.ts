/**
 * The autocannon probe against a real server child on loopback: the rate it reports is one
 * autocannon sustained (its own count), and the client counts follow from that rate.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CAPACITY_DEFAULTS } from '../../core/defaults.ts';
import type { CapacityProbeResult } from '../../core/types.ts';
import { probePolling } from '../../engines/capacity-polling.ts';
import { liveChildren, stopAllChildren } from '../../runner/child.ts';

after(() => stopAllChildren());

// Small and short: 3 steps of 1.5 s (200, 400, 800 requests/s) under a generous SLO, so the
// shared 2-core machine can hold it; the test is about honesty of the figures, not the figure.
const base = {
  ...CAPACITY_DEFAULTS,
  slo: { p99Ms: 2_000 },
  stepDurationMs: 1_500,
  warmUpMs: 500,
  startRatePerS: 200,
  maxRatePerS: 800,
  maxSteps: 3,
  maxProbeMs: 20_000,
  connections: 10,
  coCorrection: false,
};

function checkProbe(probe: CapacityProbeResult): void {
  assert.equal(probe.method, 'autocannon');
  assert.deepEqual(
    probe.points.map((p) => p.ratePerS),
    [200, 400, 800],
  );
  const rate = probe.maxRatePerS;
  assert.ok(rate !== null && rate !== undefined && rate > 0, `a sustained rate was found: ${rate}`);
  const best = probe.points.find(
    (p) => p.passed && Math.floor(Math.min(p.ratePerS ?? 0, p.achievedRatePerS ?? 0)) === rate,
  );
  assert.ok(best, 'the reported rate is one of the passing steps');
  // autocannon's own count: what it actually sent and got answered, per second.
  assert.ok(
    (best.achievedRatePerS ?? 0) >= 0.9 * rate,
    `achieved ${best.achievedRatePerS}/s ≥ 0.9 × ${rate}/s`,
  );
  assert.ok(best.p99 > 0 && best.p99 <= 2_000, `p99 ${best.p99} ms within the SLO`);
  assert.equal(best.errors, 0);
  // Clients ≈ rate × poll interval.
  assert.deepEqual(probe.clientsAtIntervalMs, {
    '1000': Math.floor(rate),
    '5000': Math.floor(rate * 5),
    '10000': Math.floor(rate * 10),
  });
  for (const p of probe.points) {
    if (!p.passed) assert.ok(p.reasons.length > 0, 'a failing step says why');
    else assert.ok((p.achievedRatePerS ?? 0) >= 0.95 * (p.ratePerS ?? 0), 'a passing step achieved its rate');
  }
}

test('short-poll: the probe reports a rate autocannon sustained, and clients follow from it', async () => {
  checkProbe(await probePolling({ ...base, protocol: 'short-poll' }));
  assert.equal(liveChildren().length, 0, 'the server child is stopped');
});

test('long-poll (wait=0): same contract', async () => {
  const probe = await probePolling({ ...base, protocol: 'long-poll' });
  checkProbe(probe);
  assert.ok(probe.notes.some((n) => n.includes('wait=0')));
  assert.equal(liveChildren().length, 0);
});
