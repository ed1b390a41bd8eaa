/**
 * Polling theory inputs (interval and RTT found in the scenario or measured) and the verdict's
 * best-value marking.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LATENCY_METRICS, RECONNECT_METRICS } from '../../reports/metrics.ts';
import { buildRunViews } from '../../reports/model.ts';
import { pollInterval, roundTrip, theoryRows } from '../../reports/theory.ts';
import { bestRunKeys } from '../../reports/verdict.ts';
import { loadFixture } from './fixtures.ts';

describe('polling theory', () => {
  it('reads poll.intervalMs, accepts "2s", falls back to the client default', () => {
    assert.deepEqual(pollInterval({ poll: { intervalMs: 1000 } }), {
      value: 1000,
      source: 'scenario poll.intervalMs',
    });
    assert.equal(pollInterval({ poll: { interval: '2s' } }).value, 2000);
    assert.equal(pollInterval({ clients: { poll: { intervalMs: 500 } } }).value, 500);
    const fallback = pollInterval({ poll: { intervalMs: 'soon' } });
    assert.equal(fallback.value, 1000);
    assert.match(fallback.source, /default/);
    assert.equal(pollInterval(undefined).value, 1000);
  });

  it('takes RTT from a measured ping, else the scenario delay, else 0', () => {
    const runs = buildRunViews(loadFixture());
    assert.equal(roundTrip({}, runs).value, 0.62);
    assert.equal(roundTrip({ network: { latency: '20ms' } }, []).value, 40);
    assert.equal(roundTrip({}, []).value, 0);
  });

  it('theory mean is T/2 + RTT/2 and max T + RTT/2 for short polling; RTT/2 for long polling', () => {
    const rows = theoryRows(buildRunViews(loadFixture()), 1000, 20);
    assert.deepEqual(
      rows.map((r) => [r.run.key, r.theoryMeanMs, r.theoryMaxMs, r.measuredMeanMs]),
      [
        ['short-poll', 510, 1010, 541.2],
        ['long-poll', 10, null, 1210.4],
      ],
    );
  });
});

describe('verdict best marking', () => {
  const runs = buildRunViews(loadFixture());
  const metric = (id: string) => [...LATENCY_METRICS, ...RECONNECT_METRICS].find((m) => m.id === id)!;

  it('marks the lowest latency', () => {
    assert.deepEqual([...bestRunKeys(metric('p50'), runs)], ['websocket']);
  });

  it('marks every tied winner, and nothing when all tie', () => {
    assert.deepEqual([...bestRunKeys(metric('duplicates'), runs)].sort(), ['long-poll', 'short-poll', 'sse']);
    assert.deepEqual([...bestRunKeys(metric('lost'), runs)], []);
  });

  it('ignores runs without the figure and never marks reconnect counts', () => {
    assert.deepEqual([...bestRunKeys(metric('Detect-p50'), runs)], ['websocket']);
    assert.deepEqual([...bestRunKeys(metric('reconnects'), runs)], []);
  });
});
