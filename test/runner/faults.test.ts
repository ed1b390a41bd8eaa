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

/**
 * The earliest a client can notice the blackhole (ms after it starts): the timer runs from its
 * last byte or request, at most one period before the fault. A reset is noticed in a few ms,
 * so only the blackhole's clients can reach these figures.
 */
const DETECT_MIN_MS: Record<string, number> = {
  websocket: 500, // the pong timeout of the first ping sent into the blackhole
  sse: 2 * 500 - 500, // idle limit minus the keep-alive period the last byte may be old
  'short-poll': 500 - 300, // the poll timeout minus the poll interval
  'long-poll': 1000 + 500 - 1000, // request timeout minus the wait a held poll may be into
};
/** Scheduling slack below DETECT_MIN_MS (timers never fire early; the proxy applies a few ms late). */
const EARLY_SLACK_MS = 50;

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
      const detect = r.reconnects.detectMs;
      assert.ok(detect, `${r.protocol}: detection measured`);
      // The blackhole's own detections (the reset's take a few ms): the slowest is in its range.
      const min = DETECT_MIN_MS[r.protocol] - EARLY_SLACK_MS;
      assert.ok(
        detect.max >= min,
        `${r.protocol}: detect max ${detect.max} ms ≥ ${min} ms (the blackhole's)`,
      );
      assert.ok(detect.max <= bound, `${r.protocol}: detect max ${detect.max} ms ≤ ${bound} ms`);
      // The blackhole's 3 clients all noticed it; a connection-holding protocol notices a reset
      // too, so there every client inside a fault window did (up to 6: the two shares may overlap).
      // A short-poll client between polls holds no connection for the reset to cut.
      const rc = r.reconnects;
      assert.ok(rc.detected! >= 3, `${r.protocol}: detected ${rc.detected} of ${rc.affected}`);
      if (r.protocol !== 'short-poll')
        assert.equal(rc.detected, rc.affected, `${r.protocol}: every affected client detected`);
      assert.equal(rc.caughtUp, rc.detected, `${r.protocol}: every one caught up`);
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
    assert.ok(ws.reconnects.zombieMs && ws.reconnects.zombieMs.max > 0, 'zombie time measured');
    assert.ok(ws.reconnects.zombiesFreed! >= 1, `freed ${ws.reconnects.zombiesFreed}`);
    // Polling holds nothing to free; SSE and long-poll never free a blackholed connection here.
    const sp = runs.find((r) => r.protocol === 'short-poll')!;
    assert.equal(sp.reconnects.zombiesFreed, null);
    for (const r of runs.filter((x) => x.protocol === 'sse' || x.protocol === 'long-poll')) {
      assert.equal(r.reconnects.zombieMs, null, `${r.protocol}: no zombie sample, null (not 0)`);
      assert.ok(
        r.reconnects.zombiesNeverFreed! >= 1,
        `${r.protocol}: never freed ${r.reconnects.zombiesNeverFreed}`,
      );
    }
    assert.deepEqual(liveChildren(), []);
  });
});
