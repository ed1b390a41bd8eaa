/**
 * The cost figures in results.json (docs/perf.md): after a short real run, every protocol run has
 * server.cpuMsPerDeliveredMessage (steady-state server CPU over messages delivered) and
 * server.memoryKBPerConnection (server RSS growth over open connections), both positive,
 * and they are plausible (a delivered message costs the server less than 10 ms of CPU; a
 * connection less than 1 MB).
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { Results } from '../../core/types.ts';
import { liveChildren } from '../../runner/child.ts';
import { runScenario } from '../../runner/runner.ts';
import { applyOverrides, defaultScenario } from '../../scenarios/load.ts';

const outDir = path.join(os.tmpdir(), `pushbench-perf-cost-test-${process.pid}`);
after(() => rm(outDir, { recursive: true, force: true }));

describe('cost figures in results.json', () => {
  test('cpuMsPerDeliveredMessage and memoryKBPerConnection are present and positive per protocol', async () => {
    const scenario = applyOverrides(defaultScenario(), {
      name: 'perf-cost-test',
      protocols: ['websocket', 'sse'],
      // Enough connections for the server's RSS to grow measurably above its start.
      clients: 400,
      durationMs: 3_000,
      rampUpMs: 1_000,
      warmUpMs: 500,
      drainMs: 1_000,
      ratePerS: 10,
      sizeBytes: 256,
    });
    const outcome = await runScenario({ scenario, outDir, quiet: true });
    assert.equal(outcome.failure, undefined);
    const data = JSON.parse(await readFile(outcome.file, 'utf8')) as Results;
    assert.deepEqual(
      data.runs.map((r) => r.protocol),
      ['websocket', 'sse'],
    );
    for (const run of data.runs) {
      const { cpuMsPerDeliveredMessage: cpu, memoryKBPerConnection: mem } = run.server;
      assert.ok(run.delivery.delivered > 0, `${run.protocol}: messages were delivered`);
      assert.ok(typeof cpu === 'number' && cpu > 0 && cpu < 10, `${run.protocol}: cpu per message ${cpu} ms`);
      assert.ok(
        typeof mem === 'number' && mem > 0 && mem < 1024,
        `${run.protocol}: memory per connection ${mem} KB`,
      );
    }
    assert.deepEqual(liveChildren(), []);
  });
});
