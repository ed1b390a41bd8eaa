/**
 * Saturation (docs/report.md): the generator's event-loop figure covers the measured window
 * only (teardown after it left out), and a server whose loop p99 in that window is over the
 * threshold is flagged like a saturated generator — in results.json, the report and the table.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { mergeWorkerReports, Recorder } from '../../clients/metrics.ts';
import { nowMs } from '../../core/clock.ts';
import type { Results } from '../../core/types.ts';
import { renderReport } from '../../reports/render.ts';
import { type AggregateInput, aggregateRun } from '../../runner/aggregate.ts';
import { liveChildren } from '../../runner/child.ts';
import { runScenario } from '../../runner/runner.ts';
import type { ServerSample } from '../../runner/server-figures.ts';
import { formatTable } from '../../runner/table.ts';
import { applyOverrides, resolveScenario } from '../../scenarios/load.ts';
import { markupOnly } from '../helpers/report-html.ts';
import { loadFixture } from '../reports/fixtures.ts';

const outDir = path.join(os.tmpdir(), `pushbench-saturation-test-${process.pid}`);
after(() => rm(outDir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('saturation', () => {
  test("the generator's event-loop figure ends with the measured window (a teardown block is left out)", async () => {
    const start = nowMs();
    const rec = new Recorder({ protocol: 'websocket', warmUpEndsAtMs: start, measureEndsAtMs: start + 400 });
    try {
      await sleep(600);
      // After the window: closing sockets, collecting reports — 300 ms of blocked loop.
      blockFor(300);
      await sleep(20);
      const loop = rec.snapshot().eventLoop;
      assert.ok(
        loop.maxMs < 50,
        `generator loop max ${loop.maxMs} ms (the 300 ms block came after the window)`,
      );
    } finally {
      rec.close();
    }
  });

  test('a block inside the window is still measured', async () => {
    const start = nowMs();
    const rec = new Recorder({
      protocol: 'websocket',
      warmUpEndsAtMs: start,
      measureEndsAtMs: start + 1_000,
    });
    try {
      await sleep(100);
      blockFor(300);
      await sleep(1_000);
      const loop = rec.snapshot().eventLoop;
      assert.ok(loop.maxMs >= 250, `generator loop max ${loop.maxMs} ms`);
    } finally {
      rec.close();
    }
  });

  test('a server over the threshold in the window is flagged saturated; one after the window is not', () => {
    const t0 = 1_700_000_000_000;
    const sample = (s: number, loopMs: number): ServerSample => ({
      atMs: t0 + s * 1000,
      cpuUserMs: s * 100,
      cpuSystemMs: 0,
      rssMB: 50,
      eventLoopP99Ms: loopMs,
      connections: 10,
    });
    const rec = new Recorder({ protocol: 'sse' });
    const merged = mergeWorkerReports([JSON.parse(JSON.stringify(rec.snapshot()))]);
    rec.close();
    const base: AggregateInput = {
      protocol: 'sse',
      clients: 10,
      durationMs: 5_000,
      measureStartMs: t0,
      merged,
      expectedByClient: [],
      samples: [],
      baselineRssMB: 40,
      faults: [],
      zombieEvents: [],
      saturationMs: 50,
    };
    const busy = aggregateRun({
      ...base,
      samples: [0, 1, 2, 3, 4, 5].map((s) => sample(s, s === 3 ? 80 : 5)),
    });
    assert.equal(busy.server.saturated, true);
    assert.equal(busy.server.eventLoopP99Ms, 80);
    // 600 ms at the teardown, after the window: not the run's saturation.
    const teardown = aggregateRun({
      ...base,
      samples: [...[0, 1, 2, 3, 4, 5].map((s) => sample(s, 5)), sample(7, 600)],
    });
    assert.equal(teardown.server.saturated, false);
    assert.equal(teardown.server.eventLoopP99Ms, 5);

    const results = loadFixture() as Results;
    results.runs = [busy, { ...teardown, protocol: 'websocket' }];
    const page = markupOnly(renderReport(results));
    assert.match(
      page,
      /⚠ sse: server saturated<\/strong> \(event-loop delay p99 80(\.0)?ms in the measured window, over the 50(\.0)?ms threshold\)/,
    );
    assert.doesNotMatch(page, /websocket: server saturated/);
    assert.ok(page.includes('⚠ server saturated</span>'));
    const table = formatTable(results.runs).split('\n');
    assert.match(table[2], /SERVER SATURATED/);
    assert.doesNotMatch(table[3], /SERVER SATURATED/);
  });

  test("the scenario's saturation threshold decides, on a real run: 0.001 ms flags server and generator, 1 h flags neither", async () => {
    const short = (eventLoopP99: string) =>
      applyOverrides(
        resolveScenario({ name: 'saturation-test', saturation: { eventLoopP99 } }, 'saturation-test'),
        {
          protocols: ['websocket'],
          clients: 4,
          durationMs: 1_000,
          rampUpMs: 200,
          warmUpMs: 200,
          drainMs: 1_000,
          ratePerS: 20,
          sizeBytes: 64,
        },
      );
    const runOnce = async (eventLoopP99: string) => {
      const outcome = await runScenario({ scenario: short(eventLoopP99), outDir, quiet: true });
      assert.equal(outcome.failure, undefined);
      const data = JSON.parse(await readFile(outcome.file, 'utf8')) as Results;
      assert.equal(data.runs.length, 1);
      return data;
    };
    const low = await runOnce('1us');
    const [lowRun] = low.runs;
    assert.equal(lowRun.saturationThresholdMs, 0.001);
    assert.ok((lowRun.server.eventLoopP99Ms ?? 0) > 0.001, `server p99 ${lowRun.server.eventLoopP99Ms} ms`);
    assert.equal(
      lowRun.server.saturated,
      true,
      `server p99 ${lowRun.server.eventLoopP99Ms} ms over 0.001 ms`,
    );
    assert.equal(lowRun.generator.saturated, true, `generator p99 ${lowRun.generator.eventLoopP99Ms} ms`);
    const page = markupOnly(renderReport(low));
    assert.match(page, /websocket: server saturated<\/strong> \([^)]*, over the 0\.001ms threshold\)/);
    assert.match(
      page,
      /websocket: load generator saturated<\/strong> \([^)]*, over the 0\.001ms threshold\)/,
    );
    assert.ok(page.includes('title="server saturated: event-loop delay p99 over 0.001ms"'));

    const high = await runOnce('1h');
    const [highRun] = high.runs;
    assert.equal(highRun.saturationThresholdMs, 3_600_000);
    assert.equal(highRun.server.saturated, false, `server p99 ${highRun.server.eventLoopP99Ms} ms`);
    assert.equal(highRun.generator.saturated, false, `generator p99 ${highRun.generator.eventLoopP99Ms} ms`);
    assert.doesNotMatch(markupOnly(renderReport(high)), /saturated<\/strong>/);
    assert.equal(liveChildren().length, 0, 'no child left running');
  });
});
