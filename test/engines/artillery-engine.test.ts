/**
 * `pushbench run --engine artillery` end to end: the scenario's SSE and long-poll clients run on
 * the real Artillery 2.0.21 against server children, and the processor's custom metrics arrive
 * in results.json (engine "artillery") with sane values. Also: an interrupted Artillery run
 * leaves no process behind. Artillery is slow to start: about 35 s in all.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PushbenchError } from '../../core/errors.ts';
import { resultsProblems } from '../../core/results-schema.ts';
import type { Results } from '../../core/types.ts';
import { runArtilleryScenario } from '../../engines/artillery-engine.ts';
import { writeArtilleryFiles } from '../../engines/artillery-export.ts';
import { killArtillerySync, liveArtilleryProcesses, runArtillery } from '../../engines/artillery-run.ts';
import { liveChildren, stopAllChildren } from '../../runner/child.ts';
import { resolveScenario } from '../../scenarios/load.ts';

let dir = '';
after(async () => {
  killArtillerySync();
  await stopAllChildren();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const scenario = resolveScenario(
  {
    name: 'engine-test',
    protocols: ['sse', 'long-poll'],
    clients: 5,
    ramp: '1s',
    warmup: '1s',
    duration: '4s',
    source: { rate: '10/s', size: '128B' },
    slo: { latencyP99: '5s', lost: 0 },
  },
  'engine-test',
);

test('run --engine artillery writes results.json with the push metrics of every protocol', {
  timeout: 60_000,
}, async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-artillery-engine-'));
  const outcome = await runArtilleryScenario({ scenario, outDir: dir, quiet: true });
  assert.equal(outcome.failure, undefined, String(outcome.failure?.message));
  assert.equal(liveChildren().length, 0, 'server children stopped');
  assert.equal(liveArtilleryProcesses(), 0, 'artillery processes gone');
  const results = JSON.parse(await readFile(outcome.file, 'utf8')) as Results;
  assert.deepEqual(resultsProblems(results), []);
  assert.deepEqual(
    results.runs.map((r) => [r.protocol, r.engine, r.clients]),
    [
      ['sse', 'artillery', 5],
      ['long-poll', 'artillery', 5],
    ],
  );
  for (const run of results.runs) {
    const what = `${run.protocol}: ${JSON.stringify({ delivery: run.delivery, latency: run.latencyMs, errors: run.errors })}`;
    assert.ok(run.delivery.delivered > 0, what);
    assert.ok(run.latencyMs.count > 0 && run.latencyMs.p50 > 0, what);
    assert.ok(run.latencyMs.p99 < 5_000, what);
    assert.ok(run.bytes.serverToClient > run.bytes.payload && run.bytes.payload > 0, what);
    assert.equal(run.durationMs, 4_000);
    assert.ok((run.server.rssMB ?? 0) > 0, 'the server child was sampled');
    const gen = run.generator.cpuMsPerDeliveredMessage;
    assert.ok(typeof gen === 'number' && gen > 0 && gen < 100, `artillery's CPU per message: ${gen} ms`);
    assert.ok(run.notes?.some((n) => n.startsWith('Artillery engine')));
    assert.equal(run.slo?.passed, true, String(run.slo?.breaches));
  }
  const lp = results.runs[1];
  assert.ok(lp.requests.total >= lp.delivery.delivered / 10, 'long-poll requests counted');
  // Artillery's own files are kept next to results.json.
  const art = path.join(path.dirname(outcome.file), 'artillery');
  assert.ok(
    (await readFile(path.join(art, 'engine-test.sse.json'), 'utf8')).includes('pushbench.sse.latency_ms'),
  );
});

test('an interrupted Artillery run is killed and reported', { timeout: 30_000 }, async () => {
  dir ||= await mkdtemp(path.join(os.tmpdir(), 'pb-artillery-engine-'));
  const sub = path.join(dir, 'abort');
  const script = (await writeArtilleryFiles(scenario, sub, 'http://127.0.0.1:9', ['sse'])).get(
    'sse',
  ) as string;
  const abort = new AbortController();
  let pid = 0;
  const running = runArtillery({
    script,
    outputFile: path.join(sub, 'out.json'),
    logFile: path.join(sub, 'out.log'),
    timeoutMs: 25_000,
    signal: abort.signal,
    onSpawn: (p) => {
      pid = p;
      setTimeout(() => abort.abort(), 1_500);
    },
  });
  await assert.rejects(
    running,
    (e: unknown) =>
      e instanceof PushbenchError && e.code === 'PB_ENGINE_FAILED' && /interrupted/.test(e.message),
  );
  assert.ok(pid > 0);
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the artillery process is gone');
  assert.equal(liveArtilleryProcesses(), 0);
});
