import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PushbenchError } from '../../core/errors.ts';
import {
  bestPassed,
  describeSlo,
  nextStep,
  parseCapacitySlo,
  runSearch,
  type SearchOptions,
  sloReasons,
  type Tried,
} from '../../engines/capacity-search.ts';

const O: SearchOptions = { start: 500, factor: 2, max: 10_000, min: 10, refineSteps: 2 };

/** Play the search against a server whose true capacity is `limit`. */
function play(limit: number, o = O): Tried[] {
  const h: Tried[] = [];
  for (let x = nextStep(h, o); x !== null && h.length < 50; x = nextStep(h, o))
    h.push({ x, passed: x <= limit });
  return h;
}

test('climbs geometrically, then bisects twice between last good and first bad', () => {
  const h = play(3000);
  assert.deepEqual(
    h.map((s) => s.x),
    [500, 1000, 2000, 4000, 3000, 3500],
  );
  assert.equal(bestPassed(h), 3000);
});

test('stops at max when everything passes', () => {
  const h = play(1e9, { ...O, max: 3000 });
  assert.deepEqual(
    h.map((s) => s.x),
    [500, 1000, 2000, 3000],
  );
});

test('goes below the first step when even that fails, and gives up under min', () => {
  const h = play(150);
  assert.deepEqual(
    h.map((s) => s.x),
    [500, 250, 125, 188, 157],
  );
  assert.equal(bestPassed(play(1)), null);
  assert.deepEqual(
    play(1).map((s) => s.x),
    [500, 250, 125, 62, 31, 15],
  );
});

test('runSearch honours max steps and says which bound stopped it', async () => {
  const r = await runSearch({ ...O, maxSteps: 3, maxProbeMs: 60_000 }, async (x) => ({ passed: x < 1e9 }));
  assert.deepEqual(
    r.steps.map((s) => s.x),
    [500, 1000, 2000],
  );
  assert.equal(r.bounded, 'max steps (3)');
  const done = await runSearch({ ...O, maxSteps: 20, maxProbeMs: 60_000 }, async (x) => ({
    passed: x <= 700,
  }));
  assert.equal(done.bounded, undefined);
  assert.deepEqual(
    done.steps.map((s) => s.x),
    [500, 1000, 750, 625],
  );
  assert.equal(bestPassed(done.steps), 625);
});

test('--slo parses p50/p90/p99/max with units and rejects everything else at once', () => {
  assert.deepEqual(parseCapacitySlo(undefined), { p99Ms: 100 });
  assert.deepEqual(parseCapacitySlo('p99=250ms, p50=1s'), { p99Ms: 250, p50Ms: 1000 });
  assert.equal(describeSlo({ p99Ms: 250 }), 'p99 ≤ 250.0ms');
  assert.throws(
    () => parseCapacitySlo('p98=1ms,p99=fast'),
    (err: unknown) =>
      err instanceof PushbenchError && err.code === 'PB_BAD_OPTION' && err.problems.length === 2,
  );
});

test('sloReasons names each breached percentile', () => {
  assert.deepEqual(sloReasons({ p99Ms: 100 }, { p50: 1, p90: 2, p99: 100, max: 500 }), []);
  assert.deepEqual(sloReasons({ p99Ms: 100, maxMs: 200 }, { p50: 1, p90: 2, p99: 142, max: 500 }), [
    'p99 142.0ms > 100.0ms',
    'max 500.0ms > 200.0ms',
  ]);
});

test('a failing step is measured again and counts as failed only when every attempt fails', async () => {
  let calls = 0;
  // 1000 fails once (a hiccup), then passes; 2000 always fails.
  const r = await runSearch({ ...O, max: 2000, maxSteps: 10, maxProbeMs: 60_000, retries: 1 }, async (x) => {
    calls += 1;
    return { passed: x < 1000 || (x === 1000 && calls > 2) };
  });
  assert.deepEqual(
    r.steps.map((s) => [s.x, s.passed, s.attempts]),
    [
      [500, true, 1],
      [1000, true, 2],
      [2000, false, 2],
      [1500, false, 2],
      [1250, false, 2],
    ],
  );
  assert.equal(bestPassed(r.steps), 1000);
});
