/**
 * The report's reconnect figures: a protocol that never noticed the outage reads "not
 * detected (0 of N)" and is never starred best; zombies the server never freed read
 * "never freed", not "—"; the chart caption says what bars and whiskers are.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResult } from '../../core/types.ts';
import { reconnectChart } from '../../reports/charts-fleet.ts';
import { RECONNECT_METRICS } from '../../reports/metrics.ts';
import { runView } from '../../reports/model.ts';
import { bestRunKeys, renderVerdict } from '../../reports/verdict.ts';
import { loadFixture } from './fixtures.ts';

const fixture = loadFixture().runs;
const ws = fixture.find((r) => r.protocol === 'websocket')!;

/** Today's shape of the silent drop: 50 clients blackholed; SSE never noticed, WebSocket did. */
const WEBSOCKET: RunResult = {
  ...ws,
  reconnects: {
    count: 50,
    affected: 50,
    detected: 50,
    reconnected: 50,
    caughtUp: 50,
    detectMs: { p50: 4_800, p99: 5_900, max: 6_000 },
    reconnectMs: { p50: 10_000, p99: 11_000, max: 11_000 },
    recoverMs: { p50: 120, p99: 140, max: 150 },
    zombieMs: { p50: 7_400, p99: 7_500, max: 7_500 },
    zombiesFreed: 50,
    zombiesNeverFreed: 0,
  },
};
const SSE: RunResult = {
  ...ws,
  protocol: 'sse',
  reconnects: {
    count: 0,
    affected: 50,
    detected: 0,
    reconnected: 0,
    caughtUp: 0,
    detectMs: null,
    reconnectMs: null,
    recoverMs: null,
    zombieMs: null,
    zombiesFreed: 0,
    zombiesNeverFreed: 50,
  },
};

describe('reconnect figures in the report', () => {
  const runs = [runView(WEBSOCKET, 'ws', 'websocket'), runView(SSE, 'sse', 'sse')];
  const metric = (id: string) => RECONNECT_METRICS.find((m) => m.id === id)!;

  it('"not detected (0 of 50)", never starred; the protocol that detected is not beaten by it', () => {
    assert.equal(metric('Detect-p50').text?.(runs[1]), 'not detected (0 of 50)');
    assert.equal(metric('Detect-p50').text?.(runs[0]), null);
    assert.deepEqual([...bestRunKeys(metric('Detect-p50'), runs)], []);
    const html = renderVerdict(runs);
    assert.match(html, /<td class="num" data-metric="Detect-p50">not detected \(0 of 50\)<\/td>/);
    assert.doesNotMatch(html, /★[^<]*0 ms/);
  });

  it('a partial detection shows its share and is never best', () => {
    const partial = runView(
      {
        ...WEBSOCKET,
        protocol: 'sse',
        reconnects: { ...WEBSOCKET.reconnects, detected: 30, detectMs: { p50: 10, p99: 20, max: 20 } },
      },
      'p',
      'sse',
    );
    assert.equal(metric('Detect-p50').text?.(partial), '10.0ms (30 of 50)');
    assert.deepEqual([...bestRunKeys(metric('Detect-p50'), [runs[0], partial])], []);
  });

  it('zombies: "never freed (0 of 50)" for SSE, not "—"', () => {
    assert.equal(metric('Zombie-p50').text?.(runs[1]), 'never freed (0 of 50)');
    assert.match(renderVerdict(runs), /data-metric="Zombie-p50">never freed \(0 of 50\)</);
  });

  it('the chart caption says what the bars and whiskers are, and the table how many had a sample', () => {
    const chart = reconnectChart(runs);
    assert.match(chart.caption, /whiskers the maximum over the samples that exist: one per lost connection/);
    const row = chart.tables?.[0].rows.find((r) => r[0] === 'websocket' && r[1] === 'detect');
    assert.equal(row?.[3], '50 of 50');
  });
});
