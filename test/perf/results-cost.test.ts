/**
 * The cost figures in results.json (docs/perf.md): after a short real run, every protocol run has
 * server.cpuMsPerDeliveredMessage (steady-state server CPU over messages delivered) and
 * server.memoryKBPerConnection (server RSS growth over open connections), each within an order
 * of magnitude of what this machine measures, and the CPU figure agrees with server.cpuPct;
 * and generator.cpuMsPerDeliveredMessage (the generator processes' CPU over the measured
 * window per delivered message), positive and under 10 ms.
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
      // memoryKBPerConnection is reported from 500 connections (RUN_DEFAULTS.memoryMinConnections).
      clients: 600,
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
      // Measured on 2 cores (600 clients, 10 msg/s broadcast): ~0.017 ms per message, 10-13 KB
      // per connection. The bands are one order of magnitude either side: a unit slip (µs for
      // ms, MB for KB, ×1,000) lands outside them.
      assert.ok(
        typeof cpu === 'number' && cpu > 0.002 && cpu < 0.2,
        `${run.protocol}: cpu per message ${cpu} ms`,
      );
      assert.ok(
        typeof mem === 'number' && mem > 2 && mem < 100,
        `${run.protocol}: memory per connection ${mem} KB`,
      );
      // The generator processes' CPU over the measured window, read from /proc (Linux).
      const gen = run.generator.cpuMsPerDeliveredMessage;
      assert.ok(
        typeof gen === 'number' && gen > 0 && gen < 10,
        `${run.protocol}: generator cpu per message ${gen} ms`,
      );
      // Independent of the per-message figure: the server's average CPU over the run, spread over
      // the messages delivered, is the same cost within a factor of 2.
      const cpuPct = run.server.cpuPct;
      assert.ok(typeof cpuPct === 'number', `${run.protocol}: server cpuPct measured`);
      const fromCpuPct = ((cpuPct / 100) * run.durationMs) / run.delivery.delivered;
      assert.ok(
        cpu > fromCpuPct / 2 && cpu < fromCpuPct * 2,
        `${run.protocol}: cpu per message ${cpu} ms vs ${fromCpuPct} ms from cpuPct ${cpuPct} %`,
      );
    }
    assert.deepEqual(liveChildren(), []);
  });
});
