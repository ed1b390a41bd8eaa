/**
 * Real Chromium pages as clients over WebSocket and SSE: a short real run through the runner
 * with 2 pages beside 2 Node clients; every page's pushes arrive, their latencies land in
 * results.json as runs with engine "browser", bytes come from the proxy, nothing is left.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertConsistent, assertNothingLeft, cleanOutput, runOf, runYaml } from './helpers.ts';

after(cleanOutput);

const YAML = `
name: browser-push-test
protocols: [websocket, sse]
clients: 2
browsers: 2
ramp: 300ms
warmup: 300ms
duration: 2s
drain: 1s
source: { rate: 20/s, size: 64B }
`;

describe('browser pages over push protocols', { timeout: 60_000 }, () => {
  test('websocket and sse pages receive every push; latency, bytes and notes reach results.json', async () => {
    const { outcome, results, hostPids } = await runYaml(YAML);
    assert.equal(outcome.failure, undefined, String(outcome.failure?.stack));
    assert.equal(results.runs.length, 4, 'a Node run and a browser run per protocol');
    assertConsistent(results);
    for (const protocol of ['websocket', 'sse'] as const) {
      const run = runOf(results, protocol, 'browser');
      assert.equal(run.clients, 2);
      // The browser host with its Chromium processes, over the measured window.
      const gen = run.generator.cpuMsPerDeliveredMessage;
      assert.ok(typeof gen === 'number' && gen > 0, `${protocol}: pages' CPU per message ${gen} ms`);
      // 20/s for 2.6 s: up to ~50 messages per page (fewer when the machine is slow to start them).
      assert.ok(run.delivery.expected >= 2 * 10, `${protocol}: expected ${run.delivery.expected}`);
      assert.equal(run.delivery.lost, 0, `${protocol}: nothing lost`);
      assert.equal(run.delivery.duplicates, 0);
      // Latency measured in the page (its clock − envelope t): pushed, so well under 250 ms.
      assert.ok(run.latencyMs.count >= 2 * 5, `${protocol}: ${run.latencyMs.count} latencies`);
      assert.ok(run.latencyMs.p50 > 0 && run.latencyMs.p50 < 250, `${protocol}: p50 ${run.latencyMs.p50} ms`);
      // Bytes from the proxy: every delivered payload crossed it, plus at least a frame / event
      // per message (WebSocket 2 B, SSE 'id: N\ndata: …\n\n' 10 B) and per page the answer to
      // its upgrade / request (> 100 B); up, per page Chromium's upgrade / GET (~500 B measured).
      const b = run.bytes;
      const frameMin = protocol === 'websocket' ? 2 : 10;
      const bytes = JSON.stringify(b);
      assert.ok(
        b.serverToClient >= b.payload + frameMin * run.delivery.delivered + 100 * run.clients,
        `${protocol}: down ${bytes}`,
      );
      assert.ok(b.clientToServer >= 300 * run.clients, `${protocol}: up ${bytes}`);
      assert.equal(run.browser?.pages, 2);
      assert.match(run.browser?.version ?? '', /^\d+\./);
      assert.ok(run.timeseries.some((p) => p.delivered > 0 && p.bytesIn > 0));
      // Bytes per second: what the buckets hold adds up to no more than the run's bytes, and
      // carries at least the payload of the messages delivered in them (64 B each; 10 % for
      // messages whose bytes crossed the proxy in the bucket before).
      const sum = (k: 'bytesIn' | 'bytesOut' | 'delivered') => run.timeseries.reduce((a, p) => a + p[k], 0);
      assert.ok(
        run.timeseries.every((p) => p.bytesIn >= 0 && p.bytesOut >= 0),
        'no negative bytes per second',
      );
      assert.ok(
        sum('bytesIn') <= b.serverToClient && sum('bytesOut') <= b.clientToServer,
        `${protocol}: series ≤ totals`,
      );
      assert.ok(
        sum('bytesIn') >= 0.9 * 64 * sum('delivered'),
        `${protocol}: ${sum('bytesIn')} B in the series for ${sum('delivered')} messages`,
      );
      assert.ok(run.notes?.some((n) => n.includes("each page's fault proxy")));
    }
    await assertNothingLeft(hostPids);
  });
});
