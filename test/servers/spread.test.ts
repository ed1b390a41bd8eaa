import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpreadTimer } from '../../servers/spread.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a spread timer visits every member once per interval, a slice per tick, and none after delete or stop', async () => {
  const visits = new Map<number, number[]>();
  const t0 = Date.now();
  // 1 s interval: 20 ticks of 50 ms; 60 members → 3 per tick.
  const timer = new SpreadTimer<number>(1_000, (m) => visits.get(m)!.push(Date.now() - t0));
  try {
    for (let m = 0; m < 60; m++) {
      visits.set(m, []);
      timer.add(m);
    }
    timer.add(99);
    visits.set(99, []);
    timer.delete(99);
    await sleep(1_020);
    const first = [...visits.entries()].filter(([m]) => m !== 99).map(([, at]) => at);
    for (const [m, at] of first.entries())
      assert.equal(at.length, 1, `member ${m} visited ${at.length} times in one interval`);
    assert.deepEqual(visits.get(99), [], 'a deleted member is not visited');
    const perTick = new Map<number, number>();
    for (const [at] of first) perTick.set(Math.round(at / 50), (perTick.get(Math.round(at / 50)) ?? 0) + 1);
    assert.ok(perTick.size >= 18, `visits fell into ${perTick.size} ticks`);
    assert.ok(
      Math.max(...perTick.values()) <= 6,
      `at most ${Math.max(...perTick.values())} visits in one tick`,
    );
  } finally {
    timer.stop();
  }
  const count = [...visits.values()].reduce((n, at) => n + at.length, 0);
  await sleep(120);
  assert.equal(
    [...visits.values()].reduce((n, at) => n + at.length, 0),
    count,
    'no visit after stop',
  );
});

test('a short interval is one tick: every member each interval', async () => {
  let visited = 0;
  const timer = new SpreadTimer<string>(40, () => visited++);
  try {
    timer.add('a');
    timer.add('b');
    await sleep(100);
    assert.ok(visited >= 2 && visited <= 6, `${visited} visits of 2 members in 100 ms at 40 ms`);
  } finally {
    timer.stop();
  }
});
