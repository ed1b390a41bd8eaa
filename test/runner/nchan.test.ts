/**
 * pushbench against a real nginx + nchan (Debian nginx-light + libnginx-mod-nchan): SSE,
 * long-poll and WebSocket each deliver with latency, lose nothing, and half of the clients
 * blackholed for 2.5 s are detected and resumed from nchan's buffer without loss (EventSource
 * Last-Event-ID, If-Modified-Since + If-None-Match, ws+meta.nchan ?last_event_id); nginx's CPU
 * and RSS come from its pid. nginx is stopped by its pid in every outcome.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { resultsProblems } from '../../core/results-schema.ts';
import type { Results } from '../../core/types.ts';
import { liveChildren } from '../../runner/child.ts';
import { runScenario } from '../../runner/runner.ts';
import { resolveScenario } from '../../scenarios/load.ts';
import { type Nginx, nchanMissing, startNchan } from '../helpers/nginx.ts';

const outDir = path.join(os.tmpdir(), `pushbench-nchan-test-${process.pid}`);
after(() => rm(outDir, { recursive: true, force: true }));

describe('nginx + nchan target', { skip: nchanMissing() }, () => {
  let nginx: Nginx | undefined;
  after(() => nginx?.stop());

  test('sse, long-poll and websocket: latency, no loss, a blackhole on half the clients detected and resumed', async () => {
    nginx = await startNchan({ subscriberTimeoutS: 1 });
    try {
      const scenario = resolveScenario(
        {
          name: 'nchan-test',
          protocols: ['sse', 'long-poll', 'websocket'],
          clients: 6,
          ramp: '300ms',
          warmup: '300ms',
          duration: '5500ms',
          drain: '1s',
          source: { rate: '20/s', size: '128B' },
          sse: { keepAlive: '1s', idleFactor: 2 },
          longPoll: { wait: '1s', margin: '500ms' },
          heartbeat: { interval: '500ms', timeout: '500ms' },
          backoff: { initial: '100ms', max: '300ms' },
          target: { profile: 'nchan', url: nginx.url, publish: {}, pid: nginx.pid },
          faults: [{ kind: 'blackhole', at: '1s', for: '2500ms', clients: '50%' }],
        },
        'nchan-test',
      );
      const outcome = await runScenario({ scenario, outDir, quiet: true });
      assert.equal(outcome.failure, undefined, String(outcome.failure));
      const data = JSON.parse(await readFile(outcome.file, 'utf8')) as Results;
      assert.deepEqual(resultsProblems(data), []);
      assert.deepEqual(
        data.runs.map((r) => r.protocol),
        ['sse', 'long-poll', 'websocket'],
      );
      for (const run of data.runs) {
        const what = `${run.protocol}: ${JSON.stringify({ d: run.delivery, rc: run.reconnects, lat: run.latencyMs, srv: run.server, errors: run.errors, notes: run.notes })}`;
        assert.equal(run.target?.profile, 'nchan', what);
        assert.equal(run.target?.mode, 'publish', what);
        assert.ok(run.delivery.expected >= 6 * 20 * 4, what);
        assert.equal(run.delivery.lost, 0, what);
        assert.equal(run.delivery.delivered, run.delivery.expected, what);
        assert.equal(run.delivery.unparsed, 0, what);
        assert.ok(run.latencyMs.count > 0 && run.latencyMs.p50 > 0 && run.latencyMs.p99 < 500, what);
        // 3 of the 6 clients blackholed for 2.5 s: each noticed it, reconnected and got the backlog.
        assert.equal(run.reconnects.affected, 3, what);
        assert.equal(run.reconnects.detected, 3, what);
        assert.equal(run.reconnects.reconnected, 3, what);
        assert.equal(run.reconnects.caughtUp, 3, what);
        assert.ok(run.recoveredLatencyMs.count > 0, `${what}: the backlog came from nchan's buffer`);
        // nginx's master and worker, sampled from /proc.
        assert.equal(run.target?.pid, nginx.pid, what);
        assert.ok((run.server.rssMB ?? 0) > 1, what);
        assert.ok(run.server.cpuPct !== null && run.server.cpuPct >= 0, what);
        assert.ok(
          run.timeseries.some((p) => (p.serverRssMB ?? 0) > 1),
          what,
        );
      }
      const [sse, lp, ws] = data.runs;
      assert.ok(sse.reconnects.detectMs && sse.reconnects.detectMs.max <= 2_600, 'SSE: silence of 2 s');
      assert.ok(lp.reconnects.detectMs && lp.reconnects.detectMs.max <= 1_600, 'long-poll: wait + margin');
      assert.ok(ws.reconnects.detectMs && ws.reconnects.detectMs.max <= 1_600, 'WebSocket: ping + timeout');
      assert.equal(ws.heartbeatForm, 'protocol');
    } finally {
      await nginx.stop();
    }
    assert.equal(liveChildren().length, 0);
  });
});
