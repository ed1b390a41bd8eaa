import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MessageSource } from '../../servers/source.ts';

describe('MessageSource', () => {
  const sources: MessageSource[] = [];
  const make = (opts = {}) => {
    const s = new MessageSource({ ratePerS: 0, ...opts });
    sources.push(s);
    return s;
  };
  after(() => {
    for (const s of sources) s.stopPacer();
  });

  test('seq strictly increases, t is epoch ms, to only when addressed, message event carries JSON', () => {
    const s = make();
    const seen: Array<[number, string]> = [];
    s.on('message', (env, json) => seen.push([env.seq, json]));
    const a = s.publish('x');
    const b = s.publish('y', { to: 'c1' });
    assert.equal(a.seq, 1);
    assert.equal(b.seq, 2);
    assert.ok(Math.abs(a.t - Date.now()) < 1000);
    assert.ok(b.t >= a.t);
    assert.equal('to' in a, false);
    assert.equal(b.to, 'c1');
    assert.deepEqual(seen, [
      [1, JSON.stringify(a)],
      [2, JSON.stringify(b)],
    ]);
  });

  test('since: messages after N for that client, resume info, subscribe without since', () => {
    const s = make();
    s.publish('1');
    s.publish('2', { to: 'a' });
    s.publish('3', { to: 'b' });
    s.publish('4');
    assert.deepEqual(
      s.since(0, 'a').messages.map((m) => m.seq),
      [1, 2, 4],
    );
    assert.deepEqual(
      s.since(2, 'b').messages.map((m) => m.seq),
      [3, 4],
    );
    assert.deepEqual(
      s.since(0).messages.map((m) => m.seq),
      [1, 2, 3, 4],
    );
    assert.deepEqual(s.since(undefined, 'a'), { messages: [], lastSeq: 4, oldestSeq: 1 });
    assert.deepEqual(s.since(4, 'a').messages, []);
    assert.deepEqual(s.since(99, 'a').messages, []);
  });

  test('retention by count reports the gap of a too-old resume', () => {
    const s = make({ retentionCount: 5 });
    for (let i = 0; i < 12; i++) s.publish(String(i));
    assert.equal(s.oldestSeq, 8);
    assert.equal(s.retained, 5);
    const r = s.since(3, 'a');
    assert.deepEqual(r.gap, { from: 4, to: 7 });
    assert.deepEqual(
      r.messages.map((m) => m.seq),
      [8, 9, 10, 11, 12],
    );
    assert.equal(s.since(7, 'a').gap, undefined);
  });

  test('retention by age', async () => {
    const s = make({ retentionMs: 50 });
    s.publish('old');
    await new Promise((r) => setTimeout(r, 80));
    s.publish('new');
    assert.equal(s.oldestSeq, 2);
    assert.deepEqual(s.since(0).gap, { from: 1, to: 1 });
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(s.retained, 0);
    assert.equal(s.oldestSeq, 3, 'empty window: oldestSeq = lastSeq + 1');
  });

  test('lookup stays exact across compaction of the retention array', () => {
    const s = make({ retentionCount: 1500 });
    for (let i = 0; i < 5000; i++) s.publish(String(i));
    assert.equal(s.oldestSeq, 3501);
    assert.deepEqual(
      s.since(4997).messages.map((m) => m.seq),
      [4998, 4999, 5000],
    );
    assert.equal(s.since(3600).messages[0].seq, 3601);
  });

  test('countFor covers every seq ever published, not only the window', () => {
    const s = make({ retentionCount: 3 });
    for (let i = 1; i <= 30; i++)
      s.publish(String(i), i % 3 === 0 ? { to: 'a' } : i % 3 === 1 ? { to: 'b' } : {});
    // broadcast: seq ≡ 2 (mod 3) → 10 of them; to a: 10; to b: 10
    assert.equal(s.countFor('a', 0, 30), 20);
    assert.equal(s.countFor('b', 0, 30), 20);
    assert.equal(s.countFor('z', 0, 30), 10);
    assert.equal(s.countFor('a', 3, 6), 2); // 5 (broadcast), 6 (a)
    assert.equal(s.countFor('a', 10, 5), 0);
    assert.equal(s.countFor('a', 0, 1000), 20, 'upToSeq beyond lastSeq is clamped');
  });

  test('generator: constant rate within tolerance, addressed round-robin', async () => {
    const s = make({ ratePerS: 200, pattern: 'constant' });
    s.setAddressedClients(['a', 'b']);
    const started = performance.now();
    s.startPacer();
    await new Promise((r) => setTimeout(r, 500));
    s.stopPacer();
    const stoppedAt = performance.now();
    const expected = (200 * (stoppedAt - started)) / 1000;
    // The schedule is the clock's, not the timers': what fell due by the stop is 200/s exactly
    // (±2 for the instants around start and stop), however late the timers ran on a shared machine.
    const stats = s.pacerStats();
    assert.ok(Math.abs(stats.scheduled - expected) <= 2, `scheduled ${stats.scheduled} vs ${expected}`);
    assert.equal(stats.published, s.lastSeq);
    assert.ok(
      s.lastSeq <= stats.scheduled && s.lastSeq >= 40,
      `published ${s.lastSeq} of ${stats.scheduled}`,
    );
    const envs = s.since(0).messages;
    for (let i = 1; i < envs.length; i++) {
      const gap = envs[i].t - envs[i - 1].t;
      assert.ok(Math.abs(gap - 5) < 0.01, `t gap ${gap} ms between seq ${i} and ${i + 1}`);
    }
    const first = s
      .since(0)
      .messages.slice(0, 4)
      .map((m) => m.to);
    assert.deepEqual(first, ['a', 'b', 'a', 'b']);
    assert.equal(s.since(0).messages[0].data.length, 256);
    const n = s.lastSeq;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.lastSeq, n, 'stopped generator emits nothing');
  });

  test('generator: burst emits whole bursts; poisson emits at roughly the rate', async () => {
    const burst = make({ ratePerS: 100, pattern: 'burst', burstSize: 10, sizeBytes: 8 });
    const poisson = make({ ratePerS: 200, pattern: 'poisson', sizeBytes: 8 });
    burst.startPacer();
    poisson.startPacer();
    await new Promise((r) => setTimeout(r, 450));
    burst.stopPacer();
    poisson.stopPacer();
    assert.ok(burst.lastSeq >= 10 && burst.lastSeq % 10 === 0, `burst lastSeq ${burst.lastSeq}`);
    assert.ok(poisson.lastSeq > 20 && poisson.lastSeq < 250, `poisson lastSeq ${poisson.lastSeq}`);
  });
});

describe('MessageSource: a stalled source (coordinated omission)', () => {
  test('a 1.5 s stall skips nothing; t are the scheduled times; maxLagMs shows the stall', async () => {
    const s = new MessageSource({ ratePerS: 100, pattern: 'constant', sizeBytes: 8 });
    const published: Array<{ t: number; atMs: number }> = [];
    s.on('message', (env) => published.push({ t: env.t, atMs: performance.timeOrigin + performance.now() }));
    const pacedFrom = performance.now();
    let pacedTo = pacedFrom;
    try {
      s.startPacer();
      await new Promise((r) => setTimeout(r, 200));
      // Block this (the source's) event loop for 1.5 s: ~150 messages fall due meanwhile.
      const until = performance.now() + 1_500;
      while (performance.now() < until) {
        // busy
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      s.stopPacer();
      pacedTo = performance.now();
    }
    const envs = s.since(0).messages;
    // ~2.0 s of pacing at 100/s (longer on a loaded machine: the count follows the time the
    // pacer really ran): every message due was published, with consecutive seqs.
    const due = (pacedTo - pacedFrom) / 10;
    assert.ok(Math.abs(envs.length - due) <= 2, `published ${envs.length}, due ${due.toFixed(1)}`);
    const stats = s.pacerStats();
    assert.equal(stats.published, envs.length);
    // The 150 that fell due during the stall were all caught up; at most the one message that
    // fell due in the last timer tick before the stop (timers fire ~1 ms late) is still overdue.
    assert.ok(
      stats.scheduled - stats.published <= 1,
      `scheduled ${stats.scheduled}, published ${stats.published}: overdue left at the stop`,
    );
    assert.deepEqual(
      envs.map((e) => e.seq),
      envs.map((_, i) => i + 1),
    );
    // t is the schedule: exactly 10 ms apart, also for those that went out together after the stall.
    for (let i = 1; i < envs.length; i++) {
      const gap = envs[i].t - envs[i - 1].t;
      assert.ok(Math.abs(gap - 10) < 0.01, `t gap ${gap} ms between seq ${i} and ${i + 1}`);
    }
    // The message due right after the stall began went out ~1.5 s late, with its scheduled t.
    const worst = Math.max(...published.map((p) => p.atMs - p.t));
    assert.ok(worst >= 1_400 && worst < 1_700, `worst publish delay ${worst} ms`);
    assert.ok(Math.abs(stats.maxLagMs - worst) < 5, `maxLagMs ${stats.maxLagMs} vs measured ${worst}`);
    assert.ok(stats.ratePerS > 90 && stats.ratePerS <= 101, `ratePerS ${stats.ratePerS}`);
  });
});
