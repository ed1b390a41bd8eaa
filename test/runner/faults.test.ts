/**
 * Faults through the whole pipeline (runner → generator → fault proxy → clients): each
 * protocol detects a blackhole within its own timer's bound, and with retention covering
 * the outage neither a blackhole nor a reset loses a message.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../core/types.ts';
import { liveChildren } from '../../runner/child.ts';
import { runScenario } from '../../runner/runner.ts';
import { parseScenario } from '../../scenarios/load.ts';

const outDir = path.join(os.tmpdir(), `pushbench-faults-test-${process.pid}`);

// Short timers so the test is quick; the bounds below follow from them.
const SCENARIO = `
name: faults-test
protocols: [short-poll, long-poll, sse, websocket]
clients: 6
ramp: 300ms
warmup: 200ms
duration: 7s
drain: 1500ms
source: { rate: 20/s, size: 64B }
poll: { interval: 300ms, timeout: 500ms }
longPoll: { wait: 1s, margin: 500ms }
sse: { keepAlive: 500ms, idleFactor: 2 }
heartbeat: { interval: 500ms, timeout: 500ms, giveUp: terminate }
backoff: { initial: 100ms, max: 500ms }
server: { pingInterval: 1s }
faults:
  - { at: 1s, for: 2s, kind: blackhole, clients: 50% }
  - { at: 4500ms, for: 0s, kind: reset, clients: 50% }
`;

/** Detection bound per protocol (ms): the timer that notices a silent network, plus scheduling slack. */
const DETECT_BOUND_MS: Record<string, number> = {
  websocket: 500 + 500, // ping interval + pong timeout
  sse: 2 * 500, // idle factor × keep-alive
  'short-poll': 300 + 500, // the next poll's timeout
  'long-poll': 1000 + 500, // wait + margin
};
const TOLERANCE_MS = 600;

let runs: RunResult[] = [];

before(async () => {
  const outcome = await runScenario({
    scenario: parseScenario(SCENARIO, 'faults-test'),
    outDir,
    quiet: true,
  });
  assert.equal(outcome.failure, undefined, String(outcome.failure));
  runs = outcome.results.runs;
});
after(() => rm(outDir, { recursive: true, force: true }));

describe('faults through the runner', () => {
  test('every protocol ran, with both fault windows recorded', () => {
    assert.deepEqual(
      runs.map((r) => r.protocol),
      ['short-poll', 'long-poll', 'sse', 'websocket'],
    );
    for (const r of runs) {
      assert.deepEqual(
        r.faults.map((f) => [f.kind, f.atMs, f.forMs, f.clients]),
        [
          ['blackhole', 1000, 2000, 3],
          ['reset', 4500, 0, 3],
        ],
      );
    }
  });

  test('a blackhole is detected within each protocol timer bound (tolerance 600 ms)', () => {
    for (const r of runs) {
      assert.ok(
        r.reconnects.count >= 3,
        `${r.protocol}: the blackholed clients reconnected (${r.reconnects.count})`,
      );
      const bound = DETECT_BOUND_MS[r.protocol] + TOLERANCE_MS;
      assert.ok(r.reconnects.detectMs.max > 0, `${r.protocol}: detection measured`);
      assert.ok(
        r.reconnects.detectMs.max <= bound,
        `${r.protocol}: detect max ${r.reconnects.detectMs.max} ms ≤ ${bound} ms`,
      );
    }
  });

  test('neither the blackhole nor the reset lost a message', () => {
    for (const r of runs) {
      assert.ok(r.delivery.expected > 0);
      assert.equal(r.delivery.lost, 0, `${r.protocol}: lost`);
      assert.equal(r.delivery.delivered, r.delivery.expected, `${r.protocol}: delivered = expected`);
      assert.ok(r.recoveredLatencyMs.count > 0, `${r.protocol}: messages were recovered after reconnects`);
    }
  });

  test('the server reaped the blackholed websockets (zombieMs)', () => {
    const ws = runs.find((r) => r.protocol === 'websocket')!;
    assert.ok(ws.reconnects.zombieMs.max > 0, 'zombie time measured');
    assert.deepEqual(liveChildren(), []);
  });
});
