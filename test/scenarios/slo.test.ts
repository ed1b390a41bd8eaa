import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunResult } from '../../core/types.ts';
import { parseScenario } from '../../scenarios/load.ts';
import { checkSlo, checkSloRuns } from '../../scenarios/slo.ts';

const timing = (max: number) => ({ p50: max / 2, p99: max, max });

/** A healthy run; tests change the figures they need. */
function run(changes: Partial<RunResult> = {}): RunResult {
  return {
    protocol: 'websocket',
    engine: 'pushbench',
    clients: 100,
    durationMs: 20_000,
    latencyMs: { count: 20_000, mean: 1.2, p50: 1.1, p90: 2, p99: 3.5, p999: 8, max: 12 },
    recoveredLatencyMs: { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
    delivery: { expected: 20_000, delivered: 20_000, lost: 0, duplicates: 0, outOfOrder: 0 },
    bytes: {
      clientToServer: 1000,
      serverToClient: 5_400_000,
      payload: 5_120_000,
      overhead: 281_000,
      perDeliveredMessage: 270,
    },
    requests: { total: 0, empty: 0 },
    reconnects: {
      count: 50,
      detectMs: timing(5800),
      reconnectMs: timing(900),
      recoverMs: timing(1500),
      zombieMs: timing(9000),
    },
    server: { cpuPct: 12, rssMB: 80, eventLoopP99Ms: 3 },
    generator: { eventLoopP99Ms: 4, saturated: false },
    faults: [],
    timeseries: [],
    ...changes,
  };
}

const slo = parseScenario(
  `
duration: 20s
slo:
  latencyP50: 50ms
  latencyP99: 500ms
  latencyMax: 2s
  lost: 0
  lostPct: 0.1
  detectMax: 7s
  recoverMax: 10s
  bytesPerMessage: 1KB
  saturated: false
`,
  'slo.yaml',
).slo;

describe('checkSlo', () => {
  test('a run within every objective passes', () => {
    assert.deepEqual(checkSlo(slo, run()), { passed: true, breaches: [] });
  });

  test('no objectives: always passes', () => {
    const bad = run({ delivery: { expected: 10, delivered: 0, lost: 10, duplicates: 0, outOfOrder: 0 } });
    assert.deepEqual(checkSlo(null, bad), { passed: true, breaches: [] });
    assert.deepEqual(checkSlo({}, bad), { passed: true, breaches: [] });
  });

  test('every breach is one readable line naming the protocol', () => {
    const verdict = checkSlo(
      slo,
      run({
        latencyMs: { count: 100, mean: 300, p50: 60, p90: 600, p99: 812.4, p999: 2500, max: 3100 },
        delivery: { expected: 1000, delivered: 990, lost: 10, duplicates: 0, outOfOrder: 0 },
        reconnects: {
          count: 5,
          detectMs: timing(7210),
          reconnectMs: timing(100),
          recoverMs: timing(12_500),
          zombieMs: timing(100),
        },
        bytes: { clientToServer: 0, serverToClient: 0, payload: 0, overhead: 0, perDeliveredMessage: 1234 },
        generator: { eventLoopP99Ms: 80.12, saturated: true },
      }),
    );
    assert.equal(verdict.passed, false);
    assert.deepEqual(verdict.breaches, [
      'latency p50 60.0ms > 50ms (websocket)',
      'latency p99 812.4ms > 500ms (websocket)',
      'latency max 3.10s > 2s (websocket)',
      'lost 10 > 0 (websocket)',
      'lost 1.00% > 0.1% (10 of 1000) (websocket)',
      'detect max 7.21s > 7s (websocket)',
      'recover max 12.5s > 10s (websocket)',
      'bytes per message 1.2 KB > 1.0 KB (websocket)',
      'generator saturated (event-loop p99 80.1ms) (websocket)',
    ]);
  });

  test('a limit is a maximum: equal passes', () => {
    const atLimit = run({
      latencyMs: { count: 1, mean: 500, p50: 50, p90: 500, p99: 500, p999: 500, max: 500 },
    });
    assert.equal(checkSlo({ latencyP99Ms: 500, latencyP50Ms: 50 }, atLimit).passed, true);
  });

  test('nothing delivered does not pass a latency objective', () => {
    const empty = run({ latencyMs: { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 } });
    assert.deepEqual(checkSlo({ latencyP99Ms: 500 }, empty).breaches, [
      'latency p99: no message delivered (limit 500ms) (websocket)',
    ]);
  });

  test('another engine is named beside the protocol', () => {
    const browser = run({ protocol: 'sse', engine: 'browser', delivery: { ...run().delivery, lost: 2 } });
    assert.deepEqual(checkSlo({ lost: 0 }, browser).breaches, ['lost 2 > 0 (sse, browser)']);
  });

  test('checkSloRuns gathers the breaches of every run', () => {
    const lossy = run({ protocol: 'long-poll', delivery: { ...run().delivery, lost: 1 } });
    assert.deepEqual(checkSloRuns({ lost: 0 }, [run(), lossy]), {
      passed: false,
      breaches: ['lost 1 > 0 (long-poll)'],
    });
    assert.equal(checkSloRuns({ lost: 0 }, [run(), run()]).passed, true);
  });
});
