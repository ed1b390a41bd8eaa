/** Commander's own errors exit 2 like every other bad option; --help exits 0. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { killClis, runCli } from '../helpers/cli.ts';

describe('CLI usage errors exit 2', () => {
  after(killClis);
  const cases: Array<[string[], RegExp]> = [
    [['--bogus'], /unknown option '--bogus'/],
    [['run', '--bogus'], /unknown option '--bogus'/],
    [['report'], /missing required argument 'results'/],
    [['serve', '--port'], /option '--port <n>' argument missing/],
    [['nosuch'], /unknown command 'nosuch'/],
  ];
  for (const [args, message] of cases) {
    test(`pushbench ${args.join(' ')} → exit 2 with commander's message`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }
  test('pushbench --help and run --help exit 0', async () => {
    assert.equal((await runCli(['--help'])).code, 0);
    assert.equal((await runCli(['run', '--help'])).code, 0);
  });
});
