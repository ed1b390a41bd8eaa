/**
 * The push probe (sse / websocket): each step is a full pushbench run; a step that held the
 * SLO with no loss counts, and the answer is the largest client count that held.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { CAPACITY_DEFAULTS } from '../../core/defaults.ts';
import { probePush } from '../../engines/capacity-push.ts';
import { liveChildren, stopAllChildren } from '../../runner/child.ts';

after(() => stopAllChildren());

test('websocket: two small steps under a generous SLO both hold; the larger count is the answer', {
  timeout: 60_000,
}, async () => {
  const probe = await probePush({
    ...CAPACITY_DEFAULTS,
    protocol: 'websocket',
    slo: { p99Ms: 2_000 },
    startClients: 5,
    clientsFactor: 2,
    maxSteps: 2,
    maxProbeMs: 50_000,
    stepDurationMs: 2_000,
    warmUpMs: 500,
    pushRampUpMs: 500,
    pushDrainMs: 500,
    ratePerS: 10,
    sizeBytes: 64,
  });
  assert.equal(probe.method, 'clients');
  assert.deepEqual(
    probe.points.map((p) => p.clients),
    [5, 10],
  );
  for (const p of probe.points) {
    assert.ok(p.passed, `step ${p.clients}: ${p.reasons.join('; ')}`);
    assert.equal(p.lost, 0);
    assert.ok(p.p99 > 0 && p.p99 <= 2_000);
    assert.equal(p.ratePerS, undefined, 'push steps are on the clients axis');
  }
  assert.equal(probe.maxClients, 10);
  assert.equal(probe.bounded, 'max steps (2)');
  assert.equal(liveChildren().length, 0);
});
