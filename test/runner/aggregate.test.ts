import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeWorkerReports } from '../../clients/merge.ts';
import type { MergedReport, ReconnectEvent } from '../../clients/report-types.ts';
import { aggregateRun } from '../../runner/aggregate.ts';

const T = 1_000_000;

function merged(reconnects: ReconnectEvent[]): MergedReport {
  const base = mergeWorkerReports([]);
  return {
    ...base,
    totals: {
      ...base.totals,
      clients: 2,
      delivered: 90,
      payloadBytes: 9_000,
      bytesIn: 20_000,
      bytesOut: 1_000,
    },
    clients: [],
    reconnects,
  };
}

function event(client: string, deadAtMs: number, openAtMs: number, caughtUpAtMs: number): ReconnectEvent {
  return {
    client,
    reason: 'test',
    lastGoodAtMs: deadAtMs - 10,
    deadAtMs,
    openAtMs,
    caughtUpAtMs,
    attempts: 0,
    resumeAfterSeq: 0,
  };
}

describe('aggregateRun', () => {
  test('delivery, bytes and each reconnect attributed to the latest fault that covers it', () => {
    const run = aggregateRun({
      protocol: 'websocket',
      clients: 2,
      durationMs: 10_000,
      measureStartMs: T,
      merged: merged([
        event('a', T + 2_500, T + 3_200, T + 3_300),
        event('a', T + 5_200, T + 5_400, T + 5_500),
      ]),
      expectedByClient: [50, 50],
      samples: [
        { atMs: T, cpuUserMs: 100, cpuSystemMs: 0, rssMB: 50, eventLoopP99Ms: 1, connections: 0 },
        { atMs: T + 10_000, cpuUserMs: 600, cpuSystemMs: 400, rssMB: 52, eventLoopP99Ms: 3, connections: 2 },
      ],
      baselineRssMB: 50,
      faults: [
        { kind: 'blackhole', startMs: T + 2_000, endMs: T + 3_000, clientIds: new Set(['a']) },
        { kind: 'reset', startMs: T + 5_000, endMs: T + 5_000, clientIds: new Set(['a']) },
      ],
      zombieEvents: [{ client: 'a', atMs: T + 2_700 }],
      saturationMs: 50,
    });
    assert.deepEqual(run.delivery, { expected: 100, delivered: 90, lost: 10, duplicates: 0, outOfOrder: 0 });
    assert.equal(run.bytes.payload + run.bytes.overhead, run.bytes.clientToServer + run.bytes.serverToClient);
    assert.equal(run.bytes.perDeliveredMessage, 233.333); // 21,000 B / 90, rounded to 3 decimals
    // detect: 500 ms after the blackhole, 200 ms after the reset (not 3.2 s after the blackhole).
    assert.deepEqual(run.reconnects.detectMs, { p50: 200, p99: 500, max: 500 });
    assert.deepEqual(run.reconnects.reconnectMs, { p50: 200, p99: 700, max: 700 });
    assert.deepEqual(run.reconnects.recoverMs, { p50: 300, p99: 500, max: 500 });
    assert.deepEqual(run.reconnects.zombieMs, { p50: 700, p99: 700, max: 700 });
    assert.equal(run.server.cpuPct, 9); // 900 ms CPU over 10 s
    assert.equal(run.server.cpuMsPerDeliveredMessage, 10);
    assert.equal(run.server.memoryKBPerConnection, 1024);
    assert.deepEqual(run.faults, [
      { kind: 'blackhole', atMs: 2000, forMs: 1000, clients: 1 },
      { kind: 'reset', atMs: 5000, forMs: 0, clients: 1 },
    ]);
  });
});
