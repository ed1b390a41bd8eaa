/** The perf statistics: medians, ratios of medians, target checks, alternation, CLI options. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PushbenchError } from '../../core/errors.ts';
import { parseCli } from '../../scripts/perf/main.ts';
import { alternate, checkTargets, median, ratios, sideOf } from '../../scripts/perf/stats.ts';

describe('perf statistics', () => {
  test('median of odd and even counts, ignoring non-finite values', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([5, Number.NaN, 1, 3]), 3);
    assert.ok(Number.isNaN(median([])));
  });

  test('a side is the median of its repetitions; ratios are subject ÷ baseline', () => {
    const subject = sideOf('pushbench', [{ ms: 8 }, { ms: 10 }, { ms: 30 }]);
    const baseline = sideOf('bare', [{ ms: 20 }, { ms: 10 }, { ms: 25 }]);
    assert.equal(subject.figures.ms, 10);
    assert.equal(baseline.figures.ms, 20);
    assert.deepEqual(ratios(subject, baseline, { latency: 'ms' }), { latency: 0.5 });
    assert.ok(Number.isNaN(ratios(subject, sideOf('empty', [{ ms: 0 }]), { latency: 'ms' }).latency));
  });

  test('targets: max and min bounds, a missing ratio is not met', () => {
    const met = checkTargets(
      { a: 0.9, b: 0.95, c: Number.NaN },
      { a: { max: 0.9 }, b: { min: 0.96 }, c: { max: 1 } },
    );
    assert.deepEqual(met, { a: true, b: false, c: false });
  });

  test('repetitions alternate which side goes first', () => {
    assert.deepEqual(
      [0, 1, 2].map((rep) => alternate(rep, 'a', 'b')[0]),
      ['a', 'b', 'a'],
    );
  });

  test('CLI: defaults, --only subsets, and every bad option reported at once', () => {
    const o = parseCli(['--quick', '--only', 'poll,proxy']);
    assert.ok(o !== 'help');
    assert.equal(o.quick, true);
    assert.deepEqual(o.only, ['poll', 'proxy']);
    assert.equal(parseCli(['--help']), 'help');
    assert.throws(
      () => parseCli(['--only', 'poll,nope', '--repetitions', '0']),
      (err: unknown) =>
        err instanceof PushbenchError && err.code === 'PB_BAD_OPTION' && err.problems.length === 2,
    );
  });
});
