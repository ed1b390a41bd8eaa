import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_KINDS, faultProblems, validateFault } from '../../network/spec.ts';

describe('fault specs', () => {
  it('knows every fault kind of the registry', () => {
    assert.deepEqual([...FAULT_KINDS].sort(), [
      'bandwidth',
      'blackhole',
      'close',
      'flap',
      'latency',
      'reset',
    ]);
  });

  it('fills defaults', () => {
    assert.deepEqual(validateFault({ kind: 'latency', latencyMs: 20 }), {
      kind: 'latency',
      direction: 'both',
      params: { latencyMs: 20, jitterMs: 0 },
    });
    assert.deepEqual(validateFault({ kind: 'reset', direction: 'both' }).params, {});
  });

  it('reports an unknown kind with its path', () => {
    assert.deepEqual(faultProblems({ kind: 'wormhole' }, 'faults[2]'), [
      'faults[2].kind: expected one of bandwidth, blackhole, close, flap, latency, reset, got "wormhole"',
    ]);
    assert.deepEqual(faultProblems('latency', 'faults[0]'), [
      'faults[0]: expected an object such as { kind: "latency", latencyMs: 50 }',
    ]);
  });

  it('reports every problem at once: bad params, missing params, unknown keys, bad direction', () => {
    const problems = faultProblems({ kind: 'latency', jitterMs: -1, direction: 'sideways', speed: 3 }, 'f');
    assert.deepEqual(problems, [
      'f.direction: expected one of up, down, both, got "sideways"',
      'f.speed: unknown key for latency (known: kind, direction, latencyMs, jitterMs)',
      'f.latencyMs: required (a number ≥ 0 and ≤ 600000)',
      'f.jitterMs: expected a number ≥ 0 and ≤ 600000, got -1',
    ]);
    assert.deepEqual(faultProblems({ kind: 'bandwidth', rateKbps: 0 }, 'f'), [
      'f.rateKbps: expected a number > 0 and ≤ 100000000, got 0',
    ]);
    assert.deepEqual(faultProblems({ kind: 'flap', upMs: '1s' }, 'f'), [
      'f.upMs: expected a number > 0 and ≤ 3600000, got "1s"',
    ]);
  });

  it('refuses a direction for faults that act on the whole connection', () => {
    assert.deepEqual(faultProblems({ kind: 'reset', direction: 'up' }, 'f'), [
      'f.direction: reset acts on the whole connection; expected "both" or none',
    ]);
  });

  it('throws PB_BAD_OPTION with the problems', () => {
    assert.throws(() => validateFault({ kind: 'close', extra: 1 }, 'faults[1]'), {
      code: 'PB_BAD_OPTION',
      problems: ['faults[1].extra: unknown key for close (known: kind, direction)'],
    });
  });
});
