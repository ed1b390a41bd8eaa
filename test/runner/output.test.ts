/**
 * Output paths: a bad `--out` is refused before any child starts (exit 2, PB_BAD_OPTION),
 * for `run`, `bench` and `report`; a real `latest/` folder is never deleted; results.json
 * is written atomically (temp file + rename).
 */
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RESULTS_SCHEMA_ID, type Results } from '../../core/types.ts';
import { writeResults } from '../../runner/results-io.ts';
import { killClis, runCli } from '../helpers/cli.ts';

let dir: string;
let aFile: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-out-'));
  aFile = path.join(dir, 'a-file');
  await writeFile(aFile, 'not a folder\n');
});
after(async () => {
  killClis();
  await rm(dir, { recursive: true, force: true });
});

function emptyResults(): Results {
  return {
    schema: RESULTS_SCHEMA_ID,
    scenario: { name: 'x' },
    environment: { node: process.version, cpus: 1, os: 'test', startedAt: new Date().toISOString() },
    runs: [],
  } as unknown as Results;
}

describe('--out is checked before anything runs', () => {
  for (const [name, args] of [
    ['run --out <a file>', ['run', '--protocols', 'sse', '--duration', '20s', '--out', 'FILE']],
    ['run --out <a file>/sub', ['run', '--protocols', 'sse', '--duration', '20s', '--out', 'FILE/sub']],
    ['bench --out <a file>', ['bench', '--out', 'FILE']],
  ] as const) {
    test(`${name}: exit 2, PB_BAD_OPTION, no run started`, async () => {
      const started = Date.now();
      const r = await runCli(args.map((a) => a.replace('FILE', aFile)));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /PB_BAD_OPTION: invalid option: --out: .* not a folder/);
      assert.doesNotMatch(r.stderr, /pushbench: scenario/, 'no scenario started');
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(Date.now() - started < 10_000, 'refused at once, not after a 20 s run');
    });
  }

  test('report --out inside a file: exit 2, PB_BAD_OPTION', async () => {
    const r = await runCli(['report', 'test/reports/fixtures', '--out', path.join(aFile, 'r.html')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /PB_BAD_OPTION: invalid option: --out: .* not a folder/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('writeResults', () => {
  test('never deletes a real latest/ folder: it is left alone and the results are written', async () => {
    const out = path.join(dir, 'real-latest');
    await mkdir(path.join(out, 'latest'), { recursive: true });
    await writeFile(path.join(out, 'latest', 'keep.txt'), 'mine\n');
    const file = await writeResults(emptyResults(), out, 'run-1');
    assert.equal(await readFile(path.join(out, 'latest', 'keep.txt'), 'utf8'), 'mine\n');
    assert.ok((await lstat(path.join(out, 'latest'))).isDirectory());
    assert.equal(JSON.parse(await readFile(file, 'utf8')).schema, RESULTS_SCHEMA_ID);
  });

  test('replaces its own latest link', async () => {
    const out = path.join(dir, 'link');
    await writeResults(emptyResults(), out, 'run-1');
    assert.equal(await readlink(path.join(out, 'latest')), 'run-1');
    await writeResults(emptyResults(), out, 'run-2');
    assert.equal(await readlink(path.join(out, 'latest')), 'run-2');
    assert.deepEqual((await readdir(out)).sort(), ['latest', 'run-1', 'run-2']);
  });

  test('writes results.json by rename (a new file, no temp file left)', async () => {
    const out = path.join(dir, 'atomic');
    const file = await writeResults(emptyResults(), out, 'run-1');
    const before = await stat(file);
    await writeResults(emptyResults(), out, 'run-1');
    const after = await stat(file);
    assert.notEqual(after.ino, before.ino, 'a rename puts a new inode in place; an in-place write keeps it');
    assert.deepEqual(await readdir(path.dirname(file)), ['results.json']);
  });
});
