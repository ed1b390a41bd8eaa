import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeqWindow } from '../../clients/core/seq-window.ts';

describe('SeqWindow', () => {
  it('classifies new, duplicate and out-of-order arrivals', () => {
    const w = new SeqWindow(10);
    const verdicts = [11, 12, 12, 14, 13, 13, 10, 9, 15].map((s) => w.accept(s));
    assert.deepEqual(verdicts, [
      'new',
      'new',
      'duplicate',
      'new',
      'out-of-order',
      'duplicate',
      'duplicate',
      'duplicate',
      'new',
    ]);
    assert.equal(w.maxSeq, 15);
  });

  it('stays bounded: seqs older than the window count as duplicates', () => {
    const w = new SeqWindow(0, 64);
    assert.equal(w.accept(100), 'new');
    assert.equal(w.accept(36), 'duplicate', 'at or below 100 - 64: outside the window');
    assert.equal(w.accept(50), 'out-of-order', 'inside the window, never seen');
    assert.equal(w.accept(50), 'duplicate');
  });

  it('forgets stale bits when the ring wraps (big jumps)', () => {
    const w = new SeqWindow(0, 64);
    assert.equal(w.accept(5), 'new');
    assert.equal(w.accept(5 + 64 * 3), 'new');
    assert.equal(w.accept(5 + 64 * 3 - 1), 'out-of-order', 'bit of seq 5 (same slot) was cleared');
    assert.equal(w.accept(5 + 64 * 2 + 10), 'out-of-order');
  });

  it('skipTo moves past a counted gap; reset starts over', () => {
    const w = new SeqWindow(0);
    w.accept(1);
    w.skipTo(50);
    assert.equal(w.maxSeq, 50);
    assert.equal(w.accept(51), 'new');
    w.reset(3);
    assert.equal(w.accept(3), 'duplicate');
    assert.equal(w.accept(4), 'new');
  });

  it('rejects a window that is not a multiple of 32', () => {
    assert.throws(() => new SeqWindow(0, 33), TypeError);
  });
});
