/**
 * The CLI faces of the engines: `pushbench capacity` (a short real probe, results.json with its
 * capacity section and the report), `pushbench artillery` (export and convert), and the
 * errors they give for bad input (exit code 2 with every problem listed).
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { resultsProblems } from '../../core/results-schema.ts';
import type { CapacitySection, Results } from '../../core/types.ts';
import { killClis, runCli } from '../helpers/cli.ts';

let dir = '';

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-engines-cli-'));
});
after(async () => {
  killClis();
  await rm(dir, { recursive: true, force: true });
});

test('capacity: bad flags exit 2 listing every problem', async () => {
  const r = await runCli([
    'capacity',
    '--protocols',
    'short-poll,carrier-pigeon',
    '--slo',
    'p98=1ms',
    '--max-steps',
    '0',
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /PB_BAD_OPTION/);
  assert.match(r.stderr, /--protocols: unknown protocol "carrier-pigeon"/);
  assert.match(r.stderr, /--slo p98=1ms: expected one of p50, p90, p99, max/);
  assert.match(r.stderr, /--max-steps: expected a value ≥ 1/);
});

test('capacity: a short short-poll probe writes the capacity section and the report', {
  timeout: 40_000,
}, async () => {
  const out = path.join(dir, 'capacity');
  const r = await runCli(
    [
      'capacity',
      '--protocols',
      'short-poll',
      '--slo',
      'p99=2s',
      '--duration-per-step',
      '1s',
      '--max-steps',
      '2',
      '--start-rate',
      '100',
      '--out',
      out,
      '--json',
    ],
    35_000,
  );
  assert.equal(r.code, 0, r.stderr);
  const section = JSON.parse(r.stdout) as CapacitySection;
  assert.deepEqual(section.slo, { p99Ms: 2000 });
  const [probe] = section.probes;
  assert.deepEqual(
    probe.points.map((p) => p.ratePerS),
    [100, 200],
  );
  assert.ok((probe.maxRatePerS ?? 0) > 0);
  assert.match(r.stderr, /short-poll +100\/s →/, 'one line per step');
  const [runDir] = (await readdir(out)).filter((d) => d.endsWith('-capacity'));
  const results = JSON.parse(await readFile(path.join(out, runDir, 'results.json'), 'utf8')) as Results;
  assert.deepEqual(resultsProblems(results), []);
  assert.deepEqual(results.capacity, section);
  assert.deepEqual(results.runs, []);
  const html = await readFile(path.join(out, runDir, 'index.html'), 'utf8');
  assert.match(html, /Capacity: latency against request rate/);
});

test('artillery: export writes a script per protocol and the processor; a remote target needs --allow-remote', async () => {
  const out = path.join(dir, 'export');
  const r = await runCli([
    'artillery',
    'scenarios/baseline.yaml',
    '--protocols',
    'websocket,sse',
    '--out',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(out)).sort(), [
    'baseline.sse.yml',
    'baseline.websocket.yml',
    'pushbench-processor.cjs',
  ]);
  assert.match(r.stdout, /Artillery has no SSE engine/);
  const remote = await runCli([
    'artillery',
    'scenarios/baseline.yaml',
    '--target',
    'http://10.1.2.3:8080',
    '--out',
    out,
  ]);
  assert.notEqual(remote.code, 0);
  assert.match(remote.stderr, /PB_REMOTE_TARGET/);
});

test('artillery convert: a stored Artillery JSON becomes results.json and a report', async () => {
  const out = path.join(dir, 'convert');
  const r = await runCli([
    'artillery',
    'convert',
    'test/engines/fixtures/artillery-short-poll.json',
    '--out',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /short-poll \(artillery\) +20 /);
  const [runDir] = await readdir(out);
  await access(path.join(out, runDir, 'index.html'));
  const bad = await runCli(['artillery', 'convert', 'scenarios/baseline.yaml', '--out', out]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /not valid JSON/);
});

test('run --engine: an unknown engine is a bad option', async () => {
  const r = await runCli(['run', '--engine', 'locust', '--protocols', 'sse', '--duration', '1s']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--engine: expected one of pushbench, artillery, got "locust"/);
});
