/**
 * The nginx + nchan comparison of `npm run perf` (docs/perf.md "Against a C server: nginx +
 * nchan") at a tiny size: SSE and WebSocket, 50 clients, one repetition, a short window. Both
 * sides deliver, both servers' CPU per delivered message is measured, nginx's side has no
 * release time or heap (absent, not 0), and nginx is gone afterwards.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PERF_DEFAULTS } from '../../core/defaults.ts';
import { nchanMissing } from '../../scripts/nginx.ts';
import { compareFanout } from '../../scripts/perf/fanout.ts';
import { isAlive } from '../helpers/process.ts';

describe('perf: pushbench vs nginx + nchan', { skip: nchanMissing() }, () => {
  for (const protocol of ['sse', 'websocket'] as const) {
    test(`${protocol}: both sides deliver, CPU per delivered message on both, nginx stopped`, {
      timeout: 30_000,
    }, async () => {
      const c = await compareFanout({
        protocol,
        against: 'nchan',
        clients: 50,
        repetitions: 1,
        ratePerS: PERF_DEFAULTS.ratePerS,
        sizeBytes: PERF_DEFAULTS.sizeBytes,
        warmUpMs: 300,
        measureMs: 1_500,
        clientsPerReceiver: PERF_DEFAULTS.clientsPerReceiver,
        connectConcurrency: PERF_DEFAULTS.connectConcurrency,
        targets: { cpuPerDelivered: { max: PERF_DEFAULTS.targets.nchanCpuMax } },
      });
      const what = JSON.stringify(c);
      assert.equal(c.id, `${protocol}-nchan-50`);
      assert.equal(c.baseline.name, 'nginx + nchan');
      for (const side of [c.subject, c.baseline]) {
        assert.ok(side.figures.deliveredShare > 0.9, `${side.name} delivered: ${what}`);
        const cpu = side.figures.cpuMsPer1000Delivered;
        assert.ok(Number.isFinite(cpu) && cpu > 0, `${side.name} CPU: ${what}`);
      }
      assert.ok(Number.isFinite(c.ratio.cpuPerDelivered) && c.ratio.cpuPerDelivered > 0, what);
      assert.equal(typeof c.met.cpuPerDelivered, 'boolean');
      assert.ok('releaseP50Ms' in c.subject.figures, what);
      assert.ok(
        !('releaseP50Ms' in c.baseline.figures) && !('heapKBPerConnection' in c.baseline.figures),
        what,
      );
      const pids = c.extra?.nginxPids as number[];
      assert.equal(pids.length, 2, 'master and worker measured');
      for (const pid of pids) assert.ok(!isAlive(pid), `nginx ${pid} still running`);
    });
  }
});
