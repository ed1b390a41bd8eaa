import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../clients/core/backoff.ts';

describe('Backoff', () => {
  it('grows by factor up to maxMs, without jitter exactly', () => {
    const b = new Backoff({ initialMs: 100, factor: 2, maxMs: 1_000, jitter: 0 });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map(() => b.next()),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(b.attempts, 6);
    b.reset();
    assert.equal(b.next(), 100);
  });

  it('jitter spreads ±jitter around the base', () => {
    const low = new Backoff({ initialMs: 1_000, jitter: 0.5 }, () => 0);
    const high = new Backoff({ initialMs: 1_000, jitter: 0.5 }, () => 0.999_999);
    assert.equal(low.next(), 500);
    assert.equal(high.next(), 1_500);
    const b = new Backoff({ initialMs: 500, jitter: 0.5 });
    for (let i = 0; i < 100; i++) {
      b.reset();
      const d = b.next();
      assert.ok(d >= 250 && d <= 750, `${d} within 500 ± 50 %`);
    }
  });

  it('uses core/defaults: 500 ms initial, 10 s max', () => {
    const b = new Backoff({ jitter: 0 });
    assert.equal(b.next(), 500);
    for (let i = 0; i < 20; i++) b.next();
    assert.equal(b.next(), 10_000);
  });
});
