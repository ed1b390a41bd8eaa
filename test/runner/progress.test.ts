import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgress, p99Text } from '../../runner/progress.ts';

const state = { connected: 0, clients: 100, delivered: 0, p99Ms: 0, phase: 'ramp-up' };

test('progress shows no p99 before anything was delivered, then the figure', () => {
  assert.equal(p99Text(state), '-');
  assert.equal(p99Text({ ...state, delivered: 12, p99Ms: 31.7 }), '31.7ms');
});

test('the plain progress line (not a TTY) says p99 - while nothing was delivered', (t) => {
  if (process.stderr.isTTY) return t.skip('stderr is a terminal here: the bar is drawn instead');
  const lines: string[] = [];
  t.mock.method(console, 'error', (line: string) => lines.push(line));
  const progress = createProgress('sse', 10_000, false);
  progress.update(0, state);
  progress.update(6_000, { ...state, connected: 100, delivered: 500, p99Ms: 28.4, phase: 'measure' });
  progress.stop();
  assert.deepEqual(lines, [
    '[sse] 0% ramp-up clients 0/100 delivered 0 p99 -',
    '[sse] 60% measure clients 100/100 delivered 500 p99 28.4ms',
  ]);
});
