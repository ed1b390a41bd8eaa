import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { resultsProblems } from '../../core/results-schema.ts';
import type { Results } from '../../core/types.ts';
import { writeReport } from '../../reports/write.ts';
import { liveChildren } from '../../runner/child.ts';
import { runScenario } from '../../runner/runner.ts';
import { applyOverrides, defaultScenario } from '../../scenarios/load.ts';
import { isAlive } from '../helpers/process.ts';
import { checkReportInBrowser, verdictFigures } from '../helpers/report-checks.ts';

const outDir = path.join(os.tmpdir(), `pushbench-runner-test-${process.pid}`);
after(() => rm(outDir, { recursive: true, force: true }));

function shortScenario(protocols: Array<'short-poll' | 'long-poll' | 'sse' | 'websocket'>) {
  return applyOverrides(defaultScenario(), {
    name: 'runner-test',
    protocols,
    clients: 8,
    durationMs: 2_000,
    rampUpMs: 300,
    warmUpMs: 300,
    drainMs: 1_500,
    ratePerS: 20,
    sizeBytes: 64,
  });
}

describe('runner', () => {
  test('a short real run writes a schema-valid, self-consistent results.json and leaves no child', async () => {
    const pids: number[] = [];
    const spy = setInterval(() => {
      for (const c of liveChildren()) if (c.proc.pid && !pids.includes(c.proc.pid)) pids.push(c.proc.pid);
    }, 50);
    const outcome = await runScenario({
      scenario: shortScenario(['websocket', 'short-poll']),
      outDir,
      quiet: true,
    });
    clearInterval(spy);
    assert.equal(outcome.failure, undefined);
    const data = JSON.parse(await readFile(outcome.file, 'utf8')) as Results;
    assert.deepEqual(resultsProblems(data), []);
    assert.equal(data.runs.length, 2);
    for (const run of data.runs) {
      assert.equal(
        run.delivery.delivered + run.delivery.lost,
        run.delivery.expected,
        `${run.protocol}: delivered + lost = expected`,
      );
      assert.ok(run.delivery.delivered > 0, `${run.protocol}: something was delivered`);
      assert.equal(run.delivery.lost, 0, `${run.protocol}: nothing lost on a healthy loopback`);
      const b = run.bytes;
      // Each direction against what the protocol must at least send (not payload + overhead =
      // total, which holds by construction): a frame header per message and the 101 answer per
      // client for WebSocket; a request line with Host per poll and a status line with headers
      // per answer for short polling (minimal header profile: no more than 300 B up per poll).
      const up = b.clientToServer;
      const down = b.serverToClient;
      if (run.protocol === 'websocket') {
        assert.ok(
          down >= b.payload + 2 * run.delivery.delivered + 129 * run.clients,
          `websocket down ${down} B`,
        );
        assert.ok(up >= 150 * run.clients, `websocket up ${up} B: an upgrade request per client`);
      } else {
        const polls = run.requests.total;
        assert.ok(up >= 50 * polls && up <= 300 * polls, `short-poll up ${up} B for ${polls} polls`);
        assert.ok(down >= b.payload + 100 * polls, `short-poll down ${down} B for ${polls} polls`);
      }
      assert.ok(
        b.payload >= run.delivery.delivered * 64,
        `${run.protocol}: payload counts every 64-byte message`,
      );
      assert.ok(run.latencyMs.count > 0 && run.latencyMs.p50 > 0);
      assert.ok(run.timeseries.length > 0);
      // The source kept its schedule on an idle loopback: nothing skipped, ~20/s, never late.
      const src = run.source;
      assert.ok(src, `${run.protocol}: results carry the source's schedule`);
      assert.ok(
        src.scheduled - src.published <= 1,
        `${run.protocol}: published ${src.published} of ${src.scheduled}`,
      );
      assert.ok(src.published >= 40, `${run.protocol}: ${src.published} published in ~2.6 s at 20/s`);
      assert.ok(Math.abs(src.ratePerS - 20) < 2, `${run.protocol}: source rate ${src.ratePerS}/s`);
      assert.ok(
        src.maxLagMs >= 0 && src.maxLagMs < 100,
        `${run.protocol}: source max lag ${src.maxLagMs} ms`,
      );
    }
    assert.ok(data.runs[1].requests.total > 0, 'short-poll counted its requests');
    // 8 clients polling every 1 s: ~8 requests/s inside the window (ramp, warm-up, drain left out).
    const perS = data.runs[1].requests.perSecond;
    assert.ok(perS !== undefined && perS >= 6 && perS <= 10, `short-poll requests.perSecond ${perS}`);
    assert.ok(pids.length >= 4, `server and generator per run were seen (${pids.length})`);
    assert.deepEqual(liveChildren(), []);
    assert.deepEqual(pids.filter(isAlive), [], 'no child process is left');
    // The report of a real run passes the same browser checks as the fixtures' reports.
    const html = await writeReport(outcome.file);
    await checkReportInBrowser(html, {
      verdictTexts: verdictFigures(data),
      screenshotPath: 'test-output/runner/real-run.png',
    });
  });

  test('a killed generator fails the run with a clear error, keeps what was measured, leaves no child', async () => {
    const pids: number[] = [];
    let killed = false;
    const killer = setInterval(() => {
      for (const c of liveChildren()) {
        if (c.proc.pid && !pids.includes(c.proc.pid)) pids.push(c.proc.pid);
        if (!killed && c.name.startsWith('generator') && c.name.includes('sse')) {
          killed = true;
          setTimeout(() => c.proc.kill('SIGKILL'), 500);
        }
      }
    }, 50);
    const outcome = await runScenario({ scenario: shortScenario(['websocket', 'sse']), outDir, quiet: true });
    clearInterval(killer);
    assert.ok(killed, 'the sse generator was killed');
    assert.ok(outcome.failure, 'the run failed');
    assert.match(String(outcome.failure), /generator .*sse.* exited/);
    const data = JSON.parse(await readFile(outcome.file, 'utf8')) as Results;
    assert.deepEqual(
      data.runs.map((r) => r.protocol),
      ['websocket'],
      'the completed run is kept',
    );
    assert.deepEqual(liveChildren(), []);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(pids.filter(isAlive), [], 'no child process is left');
  });
});
