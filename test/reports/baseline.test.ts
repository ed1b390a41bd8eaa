/**
 * Baseline deltas: exact arithmetic, the regression rule (share and noise floor, direction),
 * and run matching by protocol + engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareMetric, computeDeltas, renderBaseline } from '../../reports/baseline.ts';
import { ALL_METRICS } from '../../reports/metrics.ts';
import { buildRunViews } from '../../reports/model.ts';
import { BASELINE_FIXTURE, loadFixture } from './fixtures.ts';

const metric = (id: string) => {
  const m = ALL_METRICS.find((x) => x.id === id);
  assert.ok(m, id);
  return m;
};

describe('baseline deltas', () => {
  it('computes delta and share exactly', () => {
    const row = compareMetric(metric('p99'), 200, 250, 10);
    assert.equal(row.delta, 50);
    assert.equal(row.deltaPct, 25);
    assert.equal(row.verdict, 'regression');
  });

  it('lower is better: a drop is an improvement; higher is better for delivered', () => {
    assert.equal(compareMetric(metric('p99'), 250, 200, 10).verdict, 'improvement');
    assert.equal(compareMetric(metric('delivered'), 1000, 800, 10).verdict, 'regression');
    assert.equal(compareMetric(metric('delivered'), 800, 1000, 10).verdict, 'improvement');
  });

  it('needs both the share and the noise floor', () => {
    assert.equal(compareMetric(metric('p99'), 1000, 1090, 10).verdict, 'same', '9% < 10%');
    assert.equal(compareMetric(metric('p99'), 1.9, 2.41, 10).verdict, 'same', '+27% but only 0.51 ms');
    assert.equal(compareMetric(metric('p99'), 100, 115, 20).verdict, 'same', 'threshold is a parameter');
  });

  it('a change from 0 has no share but still counts once above the floor', () => {
    const row = compareMetric(metric('duplicates'), 0, 12, 10);
    assert.equal(row.deltaPct, null);
    assert.equal(row.delta, 12);
    assert.equal(row.verdict, 'regression');
  });

  it('missing on either side is n/a, not a number', () => {
    const row = compareMetric(metric('p50'), null, 3, 10);
    assert.equal(row.verdict, 'n/a');
    assert.equal(row.delta, null);
  });

  it('finds the fixture regressions and improvements', () => {
    const cmp = computeDeltas(buildRunViews(loadFixture()), buildRunViews(loadFixture(BASELINE_FIXTURE)), 10);
    const flagged = cmp.matched.flatMap((m) =>
      m.rows
        .filter((r) => r.verdict !== 'same' && r.verdict !== 'n/a')
        .map((r) => `${m.run.key}/${r.metric.id}/${r.verdict}`),
    );
    assert.deepEqual(flagged.sort(), [
      'long-poll/rss/regression',
      'short-poll/max/regression',
      'sse/cpu/regression',
      'websocket/Recover-p50/improvement',
      'websocket/duplicates/regression',
    ]);
    const spMax = cmp.matched[0].rows.find((r) => r.metric.id === 'max');
    assert.equal(Math.round(spMax!.delta! * 10) / 10, 174.9);
    assert.equal(cmp.regressions, 4);
    assert.equal(cmp.improvements, 1);
  });

  it('matches runs by protocol and engine and lists the unmatched', () => {
    const current = loadFixture();
    current.runs[3].engine = 'browser';
    const cmp = computeDeltas(buildRunViews(current), buildRunViews(loadFixture(BASELINE_FIXTURE)));
    assert.deepEqual(cmp.onlyCurrent, ['websocket (browser)']);
    assert.deepEqual(cmp.onlyBaseline, ['websocket']);
    assert.equal(cmp.matched.length, 3);
    const html = renderBaseline(cmp, 'the baseline');
    assert.match(html, /Not in the baseline: websocket \(browser\)/);
    assert.match(html, /<tr class="regression" data-metric="max">/);
  });
});
