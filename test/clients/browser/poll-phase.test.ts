/**
 * Chromium pages poll at random phases against the source, like the Node clients: at 1 s polls
 * and 1 message/s, a message waits on average half the interval for the next poll, so the
 * short-poll p50 over the pages is near 500 ms (theory T/2), not the ~16 ms of pages that all
 * polled just after each publish.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertNothingLeft, cleanOutput, runOf, runYaml } from './helpers.ts';

after(cleanOutput);

const YAML = `
name: browser-poll-phase-test
protocols: [short-poll]
clients: 8
browsers: 8
# One start per interval: on a schedule anchored at each client's start, all of them would poll
# in step with each other and with the source.
ramp: 8s
warmup: 1s
duration: 8s
drain: 2s
source: { rate: 1/s, size: 64B }
poll: { interval: 1s }
`;

describe('browser pages poll at random phases', { timeout: 120_000 }, () => {
  test('short-poll p50 near half the poll interval for pages and Node clients alike', async () => {
    const { outcome, results, hostPids } = await runYaml(YAML);
    assert.equal(outcome.failure, undefined, String(outcome.failure?.stack));
    const pages = runOf(results, 'short-poll', 'browser');
    const node = runOf(results, 'short-poll', 'pushbench');
    for (const run of [pages, node]) {
      // Theory T/2 = 500 ms; 8 stratified phases put the median in 375-625 ms plus the delivery
      // time. Pages and clients polling in step with the source read ~16-80 ms.
      assert.ok(run.latencyMs.count >= 40, `${run.engine}: ${run.latencyMs.count} latencies`);
      assert.ok(
        run.latencyMs.p50 > 300 && run.latencyMs.p50 < 700,
        `${run.engine}: short-poll p50 ${run.latencyMs.p50} ms (theory 500 ms), ${JSON.stringify(run.latencyMs)}`,
      );
      assert.equal(run.delivery.lost, 0, `${run.engine}: nothing lost`);
    }
    await assertNothingLeft(hostPids);
  });
});
