import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PushbenchError } from '../../core/errors.ts';
import {
  applyOverrides,
  defaultScenario,
  loadScenario,
  overridesFromFlags,
  resolveScenario,
} from '../../scenarios/load.ts';
import { clientsFor } from '../../scenarios/schema.ts';

const shipped = (name: string) => new URL(`../../scenarios/${name}`, import.meta.url).pathname;

function badOption(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof PushbenchError);
    assert.equal(err.code, 'PB_BAD_OPTION');
    return err.problems;
  }
  assert.fail('accepted');
}

describe('applyOverrides', () => {
  test('flags replace file fields and leave the rest alone', async () => {
    const file = await loadScenario(shipped('silent-drop.yaml'));
    const s = applyOverrides(file, {
      protocols: ['websocket'],
      clients: 10,
      durationMs: 40_000,
      ratePerS: 5,
      sizeBytes: 1000,
      seed: 7,
      headers: 'browser',
    });
    assert.deepEqual(s.protocols, ['websocket']);
    assert.deepEqual(s.clientsByProtocol, { websocket: 10 });
    assert.equal(s.clients, 10);
    assert.equal(s.durationMs, 40_000);
    assert.equal(s.source.ratePerS, 5);
    assert.equal(s.source.sizeBytes, 1000);
    assert.equal(s.source.pattern, file.source.pattern);
    assert.equal(s.seed, 7);
    assert.equal(s.headers, 'browser');
    assert.deepEqual(s.faults, file.faults);
    assert.deepEqual(s.heartbeat, file.heartbeat);
    assert.equal('ratePerS' in s, false, 'source fields stay under source');
    assert.equal(file.durationMs, 45_000, 'the input is not modified');
  });

  test('undefined overrides change nothing', () => {
    const base = defaultScenario();
    assert.deepEqual(applyOverrides(base, { clients: undefined, durationMs: undefined }), base);
  });

  test('new protocols keep per-protocol counts where known', () => {
    const base = resolveScenario({ clients: { websocket: 50, sse: 20 } }, 'x');
    const s = applyOverrides(base, { protocols: ['sse', 'long-poll'] });
    assert.equal(clientsFor(s, 'sse'), 20);
    assert.equal(clientsFor(s, 'long-poll'), 50);
  });

  test('each bad override is reported with its flag', () => {
    const problems = badOption(() =>
      applyOverrides(defaultScenario(), {
        clients: 0,
        durationMs: -1,
        protocols: ['carrier-pigeon' as never],
        workers: 99,
      }),
    );
    assert.deepEqual(problems, [
      '--clients: expected a whole number ≥ 1',
      '--duration: expected a duration such as "5s"',
      '--protocols: expected distinct protocols from short-poll, long-poll, sse, websocket',
      '--workers: expected a whole number 1–16',
    ]);
  });

  test('--saturation replaces the scenario threshold; 0 or a bare number is refused', async () => {
    const file = await loadScenario(shipped('silent-drop.yaml'));
    const o = overridesFromFlags({ saturation: '20ms' });
    assert.deepEqual(o, { saturationMs: 20 });
    const s = applyOverrides(file, o);
    assert.deepEqual(s.saturation, { eventLoopP99Ms: 20 });
    assert.notEqual(file.saturation.eventLoopP99Ms, 20, 'the input is not modified');
    assert.deepEqual(
      badOption(() => overridesFromFlags({ saturation: '0ms' })),
      ['--saturation: expected a duration such as "5s", more than 0'],
    );
    assert.deepEqual(
      badOption(() => overridesFromFlags({ saturation: '20' })),
      ['--saturation: expected a duration such as "5s", more than 0'],
    );
  });

  test('the scenario is checked again: a shorter duration must still hold its faults', async () => {
    const file = await loadScenario(shipped('silent-drop.yaml'));
    const problems = badOption(() => applyOverrides(file, { durationMs: 20_000 }));
    assert.deepEqual(problems, ['faults[0].for: the fault ends at 27s, after the duration (20s)']);
  });
});

describe('overridesFromFlags', () => {
  test('flag text is parsed with the file units; other options are ignored', () => {
    const o = overridesFromFlags({
      protocols: 'sse, websocket',
      clients: '500',
      duration: '1m',
      ramp: '0',
      rate: '5/s',
      size: '1KB',
      seed: 3,
      out: 'reports/out',
      json: true,
      headers: undefined,
    });
    assert.deepEqual(o, {
      protocols: ['sse', 'websocket'],
      clients: 500,
      durationMs: 60_000,
      rampUpMs: 0,
      ratePerS: 5,
      sizeBytes: 1000,
      seed: 3,
    });
  });

  test('every flag that does not parse is listed', () => {
    const problems = badOption(() =>
      overridesFromFlags({
        duration: '30',
        clients: 'lots',
        rate: 'fast',
        protocols: 'sse,sse',
        headers: 'chrome',
      }),
    );
    assert.deepEqual(problems, [
      '--duration: expected a duration such as "5s"',
      '--clients: expected a whole number ≥ 1',
      '--rate: expected a rate such as "10/s"',
      '--protocols: expected distinct protocols from short-poll, long-poll, sse, websocket',
      '--headers: expected one of minimal, browser',
    ]);
  });
});
