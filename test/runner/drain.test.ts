/**
 * The drain after the source stops: it ends when every client holds the last message meant
 * for it, bounded by the drain limit raised to the slowest delivery path (docs/scenarios.md
 * "drain"). A 3 s short poll with `drain: 1s` on a clean network loses nothing.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { liveChildren } from '../../runner/child.ts';
import { drainLimitMs } from '../../runner/protocol-run.ts';
import { runScenario } from '../../runner/runner.ts';
import { recoveryWarnings } from '../../scenarios/checks.ts';
import { parseScenario } from '../../scenarios/load.ts';

const outDir = path.join(os.tmpdir(), `pushbench-drain-test-${process.pid}`);
after(() => rm(outDir, { recursive: true, force: true }));

const SCENARIO = `
name: drain-test
protocols: [short-poll]
clients: 10
ramp: 300ms
warmup: 200ms
duration: 4s
drain: 1s
source: { rate: 10/s, size: 64B }
poll: { interval: 3s, timeout: 2s }
backoff: { initial: 100ms, max: 1s }
`;

describe('drain', () => {
  test('the limit is the slowest path: poll interval + timeout + backoff ceiling', () => {
    const s = parseScenario(SCENARIO, 'drain-test');
    assert.equal(drainLimitMs(s, 'short-poll'), 3_000 + 2_000 + 1_000);
    assert.equal(drainLimitMs({ ...s, drainMs: 60_000 }, 'short-poll'), 60_000);
  });

  test('a 3 s short poll with drain 1s on a clean network loses nothing', async () => {
    const startedAt = Date.now();
    const outcome = await runScenario({
      scenario: parseScenario(SCENARIO, 'drain-test'),
      outDir,
      quiet: true,
    });
    assert.equal(outcome.failure, undefined, String(outcome.failure));
    const [run] = outcome.results.runs;
    assert.ok(run.delivery.expected > 0);
    assert.equal(run.delivery.lost, 0, `lost ${run.delivery.lost} of ${run.delivery.expected}`);
    assert.equal(run.delivery.delivered, run.delivery.expected);
    assert.deepEqual(run.delivery.behindAtEnd, []);
    // It ended when everyone held the last message: within one poll interval (+ slack), not the 6 s limit.
    assert.ok(Date.now() - startedAt < 4_500 + 3_000 + 6_000, 'bounded');
    assert.deepEqual(liveChildren(), []);
  });

  test('a fault that ends too close to the end of the run to recover is warned about', () => {
    const s = parseScenario(
      `${SCENARIO}faults:\n  - { at: 2s, for: 1500ms, kind: blackhole, clients: 50% }\n`,
      'drain-test',
    );
    const [warning] = recoveryWarnings(s);
    assert.match(
      warning,
      /^faults\[0\] ends 500ms before the end of the run, but recovering can take up to 6s/,
    );
    assert.deepEqual(recoveryWarnings(parseScenario(SCENARIO, 'drain-test')), []);
  });
});
