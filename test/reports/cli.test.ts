/**
 * `pushbench report` and writeReport: where the file lands, and clear PB_BAD_OPTION errors for a
 * missing file, invalid JSON and a wrong schema id (exit code 2 from the CLI).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PushbenchError } from '../../core/errors.ts';
import { writeReport } from '../../reports/write.ts';
import { runCli } from '../helpers/cli.ts';
import { BASELINE_FIXTURE, RESULTS_FIXTURE } from './fixtures.ts';

function isBadOption(pattern: RegExp) {
  return (err: unknown) =>
    err instanceof PushbenchError &&
    err.code === 'PB_BAD_OPTION' &&
    pattern.test(err.message + err.problems.join('\n'));
}

describe('pushbench report', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-report-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes index.html beside results.json by default and returns its path', async () => {
    const results = path.join(dir, 'results.json');
    await copyFile(RESULTS_FIXTURE, results);
    const out = await writeReport(results);
    assert.equal(out, path.join(dir, 'index.html'));
    assert.match(await readFile(out, 'utf8'), /^<!doctype html>/);
    // A run folder works too: its results.json is read.
    assert.equal(await writeReport(dir), out);
  });

  it('writes to --out (a file, or index.html inside a folder)', async () => {
    assert.equal(
      await writeReport(RESULTS_FIXTURE, { out: path.join(dir, 'a', 'b.html') }),
      path.join(dir, 'a', 'b.html'),
    );
    assert.equal(
      await writeReport(RESULTS_FIXTURE, { out: dir, baseline: BASELINE_FIXTURE }),
      path.join(dir, 'index.html'),
    );
  });

  it('rejects a missing file, invalid JSON and a wrong schema with the file and the rule', async () => {
    await assert.rejects(writeReport(path.join(dir, 'nope.json')), isBadOption(/nope\.json: no such file/));
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, '{"schema": ');
    await assert.rejects(writeReport(bad), isBadOption(/bad\.json: not valid JSON/));
    const wrong = path.join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ schema: 'pushbench/results@0', runs: [] }));
    await assert.rejects(
      writeReport(wrong),
      isBadOption(/schema: expected "pushbench\/results@1", got "pushbench\/results@0"/),
    );
    await writeFile(wrong, '[1, 2]');
    await assert.rejects(writeReport(wrong), isBadOption(/expected a JSON object/));
    await assert.rejects(
      writeReport(RESULTS_FIXTURE, { baseline: bad }),
      isBadOption(/bad\.json: not valid JSON/),
    );
  });

  it('CLI: prints the path on success, exits 2 with the code on bad input', async () => {
    const out = path.join(dir, 'cli.html');
    const ok = await runCli(['report', RESULTS_FIXTURE, '--baseline', BASELINE_FIXTURE, '--out', out]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), out);
    const missing = await runCli(['report', path.join(dir, 'missing.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /PB_BAD_OPTION: .*missing\.json: no such file/);
  });
});
