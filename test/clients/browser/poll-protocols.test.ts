/**
 * Real Chromium pages as clients over short and long polling (fetch with AbortController
 * timeouts): a short real run with 1 page beside 2 Node clients; every message arrives, the
 * latency follows the protocol (short-poll waits for the next poll), requests are counted,
 * and Chromium's own request headers show in the bytes.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertConsistent, assertNothingLeft, cleanOutput, runOf, runYaml } from './helpers.ts';

after(cleanOutput);

const YAML = `
name: browser-poll-test
protocols: [short-poll, long-poll]
clients: 2
browsers: 1
ramp: 300ms
warmup: 300ms
duration: 2500ms
drain: 1500ms
source: { rate: 10/s, size: 64B }
poll: { interval: 500ms }
`;

describe('browser pages over polling', { timeout: 60_000 }, () => {
  test('short-poll and long-poll pages receive every message; requests and latency reach results.json', async () => {
    const { outcome, results, hostPids } = await runYaml(YAML);
    assert.equal(outcome.failure, undefined, String(outcome.failure?.stack));
    assertConsistent(results);
    const short = runOf(results, 'short-poll', 'browser');
    const long = runOf(results, 'long-poll', 'browser');
    for (const run of [short, long]) {
      assert.equal(run.clients, 1);
      assert.ok(run.delivery.expected >= 10, `${run.protocol}: expected ${run.delivery.expected}`);
      assert.equal(run.delivery.lost, 0, `${run.protocol}: nothing lost`);
      assert.ok(run.latencyMs.count >= 5, `${run.protocol}: ${run.latencyMs.count} latencies`);
      assert.ok(run.requests.total > 0);
      // A fetch carries Chromium's headers (User-Agent, Accept, sec-ch-ua…): hundreds of bytes each.
      const upPerRequest = run.bytes.clientToServer / run.requests.total;
      assert.ok(upPerRequest > 150, `${run.protocol}: ${upPerRequest} bytes up per request`);
    }
    // short-poll: a message waits for the next poll, 500 ms apart (+ a generous 500 ms for load).
    assert.ok(
      short.latencyMs.p50 > 20 && short.latencyMs.max < 1_000,
      `short-poll ${JSON.stringify(short.latencyMs)}`,
    );
    assert.ok(
      short.requests.total >= 3 && short.requests.total <= 12,
      `short-poll requests ${short.requests.total}`,
    );
    // long-poll: answered as soon as a message is published (tolerance: a loaded 2-core machine).
    assert.ok(long.latencyMs.p50 < 250, `long-poll p50 ${long.latencyMs.p50} ms`);
    assert.ok(long.requests.total >= long.delivery.delivered / 3, 'about one request per message at 10/s');
    await assertNothingLeft(hostPids);
  });
});
