import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyOverrides, defaultScenario, resolveScenario } from '../../scenarios/load.ts';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    const problems = (err as { problems?: string[] }).problems ?? [];
    return problems.length ? problems : [String(err)];
  }
  return [];
};

describe('scenario target', () => {
  test('a profile supplies paths, resume, pointers, the publish URL and the heartbeat form', () => {
    const s = resolveScenario(
      {
        protocols: ['sse', 'websocket', 'long-poll'],
        target: { profile: 'nchan', url: 'http://127.0.0.1:9/', channel: 'c1', publish: {} },
      },
      'x',
    );
    assert.deepEqual(s.target?.paths, { sse: '/sub/c1', websocket: '/sub/c1', 'long-poll': '/sub/c1' });
    assert.deepEqual(s.target?.resume, {
      sse: 'last-event-id',
      websocket: 'last-event-id-query',
      'long-poll': 'if-modified-since',
    });
    assert.equal(s.target?.publishUrl, 'http://127.0.0.1:9/pub/c1');
    assert.deepEqual(s.target?.message, { seq: '/seq', t: '/t', data: '/data' });
    assert.equal(s.heartbeat.form, 'protocol', "nchan's heartbeat form");
  });

  test("the scenario's fields override the profile's; no publish means observe", () => {
    const s = resolveScenario(
      {
        protocols: ['websocket'],
        heartbeat: { form: 'text' },
        target: {
          url: 'http://127.0.0.1:9',
          paths: { websocket: '/websocket/{client}' },
          message: { seq: '/n', t: '/at' },
          resume: { websocket: 'query:after' },
        },
      },
      'x',
    );
    assert.equal(s.target?.profile, 'generic');
    assert.equal(s.target?.paths.websocket, '/websocket/{client}');
    assert.deepEqual(s.target?.message, { seq: '/n', t: '/at' });
    assert.equal(s.target?.resume.websocket, 'query:after');
    assert.equal(s.target?.publishUrl, null);
    assert.equal(s.heartbeat.form, 'text');
  });

  test('bad target fields are named with their path and rule', () => {
    const problems = problemsOf(() =>
      resolveScenario(
        {
          protocols: ['short-poll'],
          target: { profile: 'generic', url: 'ftp://x', message: { seq: 'seq' }, resume: { sse: 'later' } },
        },
        'x',
      ),
    );
    const text = problems.join('\n');
    assert.match(text, /target\.url/);
    assert.match(text, /target\.message\.seq/);
    assert.match(text, /target\.resume\.sse/);
    assert.doesNotThrow(() =>
      resolveScenario({ protocols: ['sse'], target: { url: 'http://127.0.0.1:1' } }, 'ok'),
    );
    assert.match(
      problemsOf(() =>
        resolveScenario({ protocols: ['short-poll'], target: { url: 'http://127.0.0.1:1' } }, 'x'),
      ).join(),
      /protocols.*generic target profile speaks long-poll, sse, websocket, not short-poll/,
    );
  });

  test('--target, --profile and --target-pid set or replace the target', () => {
    const base = applyOverrides(defaultScenario(), { protocols: ['sse', 'long-poll'] });
    const s = applyOverrides(base, { target: 'http://127.0.0.1:8080', profile: 'nchan', targetPid: 4242 });
    assert.equal(s.target?.url, 'http://127.0.0.1:8080');
    assert.equal(s.target?.profile, 'nchan');
    assert.equal(s.target?.pid, 4242);
    assert.equal(s.target?.paths.sse, '/sub/bench');
    assert.equal(s.heartbeat.form, 'protocol');
    assert.match(
      problemsOf(() => applyOverrides(base, { profile: 'nchan' })).join(),
      /--profile: needs --target/,
    );
    assert.match(problemsOf(() => applyOverrides(base, { target: 'x' })).join(), /--target: expected a URL/);
  });
});
