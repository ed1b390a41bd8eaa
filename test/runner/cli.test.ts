/**
 * The run command end to end as a user calls it: exit codes and messages.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** `pushbench run` may take a real short run: up to 90 s. */
const cli = (args: string[]) => runCli(args, 90_000);

describe('pushbench run', () => {
  test('an invalid scenario file exits 2 and lists every problem with its path', async () => {
    const r = await cli(['run', 'test/scenarios/fixtures/many-problems.yaml']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /PB_BAD_SCENARIO/);
    const problems = r.stderr.split('\n').filter((l) => l.startsWith('  - '));
    assert.ok(problems.length >= 3, `several problems listed:\n${r.stderr}`);
    for (const p of problems)
      assert.match(p, /^ {2}- [\w.[\]]+: /, `each problem starts with its path: ${p}`);
  });

  test('bad flags exit 2 and name the flag and the rule', async () => {
    const r = await cli(['run', '--clients', 'many', '--duration', '10']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--clients: expected a whole number/);
    assert.match(r.stderr, /--duration: expected a duration/);
  });

  test('an SLO breach exits 1 and is shown', async () => {
    const file = path.join(dir, 'tight-slo.yaml');
    await writeFile(
      file,
      [
        'name: tight-slo',
        'protocols: [short-poll]',
        'clients: 3',
        'ramp: 100ms',
        'warmup: 100ms',
        'duration: 1500ms',
        'drain: 500ms',
        'poll: { interval: 500ms }',
        // Short polling at 500 ms cannot deliver within 1 ms at the median: a certain breach.
        'slo: { latencyP50: 1ms }',
        '',
      ].join('\n'),
    );
    const r = await cli(['run', file, '--out', path.join(dir, 'out'), '--quiet', '--no-report']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /SLO breach: .*p50/i);
    assert.match(r.stderr, /PB_SLO_BREACHED/);
    assert.match(r.stdout, /results: /);
  });

  test('the package bin (what npx pushbench runs) starts the CLI', async () => {
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [path.resolve('bin/pushbench.js'), '--help'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.on('close', (code) => resolve({ code, stdout }));
    });
    assert.equal(r.code, 0);
    for (const command of ['run', 'bench', 'report', 'serve'])
      assert.match(r.stdout, new RegExp(`\\n  ${command} `));
  });

  test('--help documents the flags with their defaults', async () => {
    const r = await cli(['run', '--help']);
    assert.equal(r.code, 0);
    for (const flag of [
      '--protocols',
      '--clients',
      '--duration',
      '--rate',
      '--size',
      '--out',
      '--json',
      '--workers',
      '--allow-remote',
    ]) {
      assert.ok(r.stdout.includes(flag), `help mentions ${flag}`);
    }
    assert.match(r.stdout, /default/);
  });
});
