import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32, selectClients, shareCount } from '../../network/select.ts';

const ids = Array.from({ length: 200 }, (_, i) => `client-${i}`);

describe('selectClients', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = selectClients(ids, { percent: 30 }, 7);
    assert.deepEqual(selectClients(ids, { percent: 30 }, 7), a);
    assert.notDeepEqual(selectClients(ids, { percent: 30 }, 8), a);
  });

  it('gives the requested share, in the order of the ids, without repeats', () => {
    const chosen = selectClients(ids, { percent: 30 }, 1);
    assert.equal(chosen.length, 60);
    assert.equal(new Set(chosen).size, 60);
    const positions = chosen.map((id) => ids.indexOf(id));
    assert.deepEqual(
      positions,
      [...positions].sort((x, y) => x - y),
    );
    assert.ok(positions.every((p) => p >= 0));
    assert.equal(selectClients(ids, { count: 12 }, 1).length, 12);
    assert.equal(selectClients(ids, { count: 500 }, 1).length, 200);
    assert.deepEqual(selectClients(ids, { percent: 100 }, 3), ids);
    assert.deepEqual(selectClients(ids, { percent: 0 }, 3), []);
  });

  it('spreads the choice (not a prefix) and nests: a larger share contains a smaller one', () => {
    const small = selectClients(ids, { percent: 10 }, 5);
    const large = selectClients(ids, { percent: 50 }, 5);
    assert.ok(small.every((id) => large.includes(id)));
    assert.notDeepEqual(small, ids.slice(0, small.length));
  });

  it('rounds percentages and rejects bad shares with PB_BAD_OPTION', () => {
    assert.equal(shareCount(10, { percent: 25 }), 3);
    assert.equal(shareCount(3, { percent: 50 }), 2);
    assert.throws(() => shareCount(10, { percent: 120 }), { code: 'PB_BAD_OPTION' });
    assert.throws(() => shareCount(10, { count: 1.5 }), { code: 'PB_BAD_OPTION' });
    assert.throws(() => selectClients(ids, { count: -1 }, 1), { code: 'PB_BAD_OPTION' });
  });

  it('mulberry32 returns floats in [0, 1) reproducibly', () => {
    const r1 = mulberry32(42);
    const r2 = mulberry32(42);
    for (let i = 0; i < 1000; i++) {
      const v = r1();
      assert.equal(v, r2());
      assert.ok(v >= 0 && v < 1);
    }
  });
});
