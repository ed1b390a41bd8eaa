import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeWorkerReports } from '../../clients/merge.ts';
import type { MergedReport, ReconnectEvent } from '../../clients/report-types.ts';
import { type AggregateInput, aggregateRun } from '../../runner/aggregate.ts';
import { detectCell } from '../../runner/table.ts';
import { checkSlo } from '../../scenarios/slo.ts';

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

function bucket(atMs: number): MergedReport['timeseries'][number] {
  return { atMs, connected: 1, delivered: 10, p50: 1, p99: 1, bytesIn: 0, bytesOut: 0 };
}

function event(
  client: string,
  deadAtMs: number,
  openAtMs: number | undefined,
  caughtUpAtMs: number | undefined,
  lastGoodAtMs = deadAtMs - 10,
): ReconnectEvent {
  return {
    client,
    reason: 'test',
    lastGoodAtMs,
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
        // Last byte before the reset (attribution goes by the connection's last byte).
        event('a', T + 5_200, T + 5_400, T + 5_500, T + 4_990),
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
    assert.deepEqual(run.delivery, {
      expected: 100,
      delivered: 90,
      lost: 10,
      duplicates: 0,
      outOfOrder: 0,
      behindAtEnd: [],
    });
    // Each figure from its own input: the generator's bytesOut is client → server, payload is the
    // envelopes' bytes, overhead the socket bytes (20,000 + 1,000) minus those 9,000.
    assert.deepEqual(run.bytes, {
      clientToServer: 1_000,
      serverToClient: 20_000,
      payload: 9_000,
      overhead: 12_000,
      perDeliveredMessage: 233.333, // 21,000 B / 90, rounded to 3 decimals
    });
    // detect: 500 ms after the blackhole, 200 ms after the reset (not 3.2 s after the blackhole).
    assert.deepEqual(run.reconnects.detectMs, { p50: 200, p99: 500, max: 500 });
    assert.deepEqual(run.reconnects.reconnectMs, { p50: 200, p99: 700, max: 700 });
    assert.deepEqual(run.reconnects.recoverMs, { p50: 300, p99: 500, max: 500 });
    assert.deepEqual(run.reconnects.zombieMs, { p50: 700, p99: 700, max: 700 });
    assert.equal(run.server.cpuPct, 9); // 900 ms CPU over 10 s
    assert.equal(run.server.cpuMsPerDeliveredMessage, 10);
    // 2 MB of RSS growth over 2 connections is noise, not 1,024 KB per connection.
    assert.equal(run.server.memoryKBPerConnection, null);
    assert.deepEqual(run.faults, [
      { kind: 'blackhole', atMs: 2000, forMs: 1000, clients: 1 },
      { kind: 'reset', atMs: 5000, forMs: 0, clients: 1 },
    ]);
  });

  test('memory per connection from 500 open connections on; null below and when RSS did not grow', () => {
    const at = (connections: number, rssMB: number) => ({
      ...base(),
      samples: [
        { atMs: T, cpuUserMs: 0, cpuSystemMs: 0, rssMB: 50, eventLoopP99Ms: 1, connections: 0 },
        { atMs: T + 10_000, cpuUserMs: 100, cpuSystemMs: 0, rssMB, eventLoopP99Ms: 1, connections },
      ],
      baselineRssMB: 50,
    });
    // 500 connections, 10 MB of growth: 20.48 KB each.
    assert.equal(aggregateRun(at(500, 60)).server.memoryKBPerConnection, 20.48);
    assert.equal(aggregateRun(at(499, 60)).server.memoryKBPerConnection, null);
    assert.equal(aggregateRun(at(1_000, 49)).server.memoryKBPerConnection, null);
  });

  test('server cpuPct, rssMB and event-loop p99 over the measured window, as the per-second series', () => {
    const sample = (atMs: number, cpuMs: number, rssMB: number, eventLoopP99Ms: number) => ({
      atMs,
      cpuUserMs: cpuMs,
      cpuSystemMs: 0,
      rssMB,
      eventLoopP99Ms,
      connections: 1,
    });
    const run = aggregateRun({
      ...base(),
      merged: { ...merged([]), timeseries: [0, 1, 2, 3].map((i) => bucket(T + i * 1_000)) },
      durationMs: 4_000,
      // Ramp-up before T: 3 s of 80 % CPU, a 90 MB peak and a 200 ms stall while connecting;
      // the measured window then runs at 10 % with RSS 60-61 MB and event-loop p99 2-4 ms.
      samples: [
        sample(T - 3_000, 0, 50, 1),
        sample(T, 2_400, 90, 200),
        sample(T + 1_000, 2_500, 60, 2),
        sample(T + 2_000, 2_600, 61, 4),
        sample(T + 3_000, 2_700, 60, 3),
        sample(T + 4_000, 2_800, 60, 2),
        // Tear-down after the window.
        sample(T + 5_000, 3_700, 95, 300),
      ],
    });
    assert.equal(run.server.cpuPct, 10); // 400 ms CPU over the 4 s window (whole run: 3.7 s / 8 s)
    assert.equal(run.server.rssMB, 90); // the sample at T is inside the window
    assert.equal(run.server.eventLoopP99Ms, 4); // the seconds after T; T's own p99 is the ramp-up's
    assert.deepEqual(
      run.timeseries.map((p) => p.serverCpuPct),
      [10, 10, 10, 10],
    );
  });

  test('clients still behind at the end of the drain are named in delivery and in a note', () => {
    const run = aggregateRun({ ...base(), behindAtEnd: ['c3', 'c7'] });
    assert.deepEqual(run.delivery.behindAtEnd, ['c3', 'c7']);
    assert.deepEqual(run.notes, [
      "2 client(s) still behind the last message when the drain's limit passed, counted lost: c3, c7",
    ]);
  });

  test('a fault nobody noticed: counts, null timings (never 0s), and the detection SLO fails', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
    const run = aggregateRun({
      ...base(),
      protocol: 'sse',
      merged: merged([]),
      faults: [{ kind: 'blackhole', startMs: T + 2_000, endMs: T + 17_000, clientIds: new Set(ids) }],
    });
    assert.equal(run.reconnects.affected, 50);
    assert.equal(run.reconnects.detected, 0);
    assert.equal(run.reconnects.reconnected, 0);
    assert.equal(run.reconnects.caughtUp, 0);
    assert.equal(run.reconnects.detectMs, null);
    assert.equal(run.reconnects.reconnectMs, null);
    assert.equal(run.reconnects.recoverMs, null);
    assert.equal(run.reconnects.zombieMs, null);
    assert.equal(run.reconnects.zombiesFreed, 0);
    assert.equal(run.reconnects.zombiesNeverFreed, 0);
    const slo = checkSlo({ detectMsMax: 10_000 }, run);
    assert.equal(slo.passed, false);
    assert.deepEqual(slo.breaches, ['not detected by 50 of 50 affected clients (sse)']);
    assert.equal(detectCell(run), 'not detected (0 of 50)');
  });

  test('a detection long after the fault ended still belongs to it (no cut-off)', () => {
    const run = aggregateRun({
      ...base(),
      // Last byte during the fault, noticed 90 s after it ended (a 15 s blackhole, a long timer).
      merged: merged([event('a', T + 107_000, T + 107_100, T + 107_200, T + 2_000)]),
      faults: [{ kind: 'blackhole', startMs: T + 2_000, endMs: T + 17_000, clientIds: new Set(['a']) }],
    });
    assert.deepEqual(run.reconnects.detectMs, { p50: 105_000, p99: 105_000, max: 105_000 });
    assert.equal(run.reconnects.detected, 1);
  });

  test("detection from the proxy's applied time, per client; recover not clamped to 0", () => {
    const run = aggregateRun({
      ...base(),
      clients: 2,
      merged: merged([
        event('a', T + 2_900, T + 3_000, T + 3_100, T + 2_000),
        // Caught up 400 ms before the fault was removed: a negative recover, kept.
        event('b', T + 2_900, T + 2_950, T + 2_600, T + 2_000),
      ]),
      faults: [
        {
          kind: 'blackhole',
          startMs: T + 2_000,
          endMs: T + 3_000,
          clientIds: new Set(['a', 'b']),
          // a's generator applied it 400 ms late (a loaded timer), b's on time.
          applied: new Map([
            ['a', { appliedAtMs: T + 2_400, removedAtMs: T + 3_000 }],
            ['b', { appliedAtMs: T + 2_000, removedAtMs: T + 3_000 }],
          ]),
        },
      ],
    });
    assert.deepEqual(run.reconnects.detectMs, { p50: 500, p99: 900, max: 900 });
    assert.deepEqual(run.reconnects.recoverMs, { p50: -400, p99: 100, max: 100 });
  });

  test('a flap: detection from the down phase the connection died in', () => {
    const run = aggregateRun({
      ...base(),
      // up 1 s / down 1 s from T + 2 s: down phases start at +2 s, +4 s, +6 s. Last byte in the
      // up phase at +5.5 s → died in the down phase from +6 s; noticed at +6.8 s.
      merged: merged([event('a', T + 6_800, T + 7_100, T + 7_200, T + 5_500)]),
      faults: [
        {
          kind: 'flap',
          startMs: T + 2_000,
          endMs: T + 9_000,
          clientIds: new Set(['a']),
          flap: { upMs: 1_000, downMs: 1_000 },
        },
      ],
    });
    assert.deepEqual(run.reconnects.detectMs, { p50: 800, p99: 800, max: 800 });
  });

  test('overlapping faults: the one that began after the last byte, else the one active then', () => {
    const faults = [
      { kind: 'latency', startMs: T + 1_000, endMs: T + 9_000, clientIds: new Set(['a', 'b']) },
      { kind: 'blackhole', startMs: T + 4_000, endMs: T + 6_000, clientIds: new Set(['a', 'b']) },
    ];
    const run = aggregateRun({
      ...base(),
      clients: 2,
      merged: merged([
        // a: last byte at +3.9 s under the latency fault, then the blackhole: from +4 s.
        event('a', T + 4_700, T + 6_100, T + 6_200, T + 3_900),
        // b: last byte at +7 s, after the blackhole ended: the latency fault (active then).
        event('b', T + 7_500, T + 7_600, T + 7_700, T + 7_000),
      ]),
      faults,
    });
    assert.deepEqual(run.reconnects.detectMs, { p50: 700, p99: 6_500, max: 6_500 });
  });

  test('zombies: every freed one counts, the others are "never freed"; short-poll has none to free', () => {
    const ids = Array.from({ length: 1_500 }, (_, i) => `c${i}`);
    const faults = [{ kind: 'blackhole', startMs: T + 1_000, endMs: T + 20_000, clientIds: new Set(ids) }];
    const events = ids.map((id) => event(id, T + 4_000, T + 5_000, T + 21_000, T + 999));
    // The server freed 1,200 of the 1,500 dead connections (more than GET /stats keeps).
    const zombieEvents = ids
      .slice(0, 1_200)
      .map((client) => ({ client, atMs: T + 6_000, lastSeenMs: T + 999 }));
    const ws = aggregateRun({ ...base(), clients: 1_500, merged: merged(events), faults, zombieEvents });
    assert.equal(ws.reconnects.zombiesFreed, 1_200);
    assert.equal(ws.reconnects.zombiesNeverFreed, 300);
    assert.deepEqual(ws.reconnects.zombieMs, { p50: 5_000, p99: 5_000, max: 5_000 });
    const sse = aggregateRun({ ...base(), protocol: 'sse', clients: 1_500, merged: merged(events), faults });
    assert.equal(sse.reconnects.zombiesFreed, 0);
    assert.equal(sse.reconnects.zombiesNeverFreed, 1_500);
    assert.equal(sse.reconnects.zombieMs, null);
    const sp = aggregateRun({
      ...base(),
      protocol: 'short-poll',
      clients: 1_500,
      merged: merged(events),
      faults,
    });
    assert.equal(sp.reconnects.zombiesFreed, null);
    assert.equal(sp.reconnects.zombiesNeverFreed, null);
  });
});

function base(): AggregateInput {
  return {
    protocol: 'websocket',
    clients: 1,
    durationMs: 10_000,
    measureStartMs: T,
    merged: merged([]),
    expectedByClient: [],
    samples: [],
    baselineRssMB: 0,
    faults: [],
    zombieEvents: [],
    saturationMs: 50,
  };
}
