/**
 * Chromium is always shut down: when a page fails during a run (its renderer is killed: the
 * run fails with PB_BROWSER_FAILED and keeps what it wrote), and when the runner itself is
 * killed (SIGKILL: the browser host sees its IPC channel close and closes Chromium). No
 * Chromium process of the run — found by the host's user-data-dir marker — is left.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { after, describe, test } from 'node:test';
import { killMarked, processesWith } from '../../../clients/browser/chromium.ts';
import { isAlive } from '../../helpers/process.ts';
import { assertNothingLeft, chromiumOf, cleanOutput, runYaml, waitUntil } from './helpers.ts';

const TSX = import.meta.resolve('tsx');
const FIXTURE = new URL('./fixtures/orphan-run.ts', import.meta.url);
const started: number[] = [];
let fixture: ChildProcess | undefined;

after(async () => {
  // Whatever a failed assertion left behind: by pid, never by name.
  fixture?.kill('SIGKILL');
  for (const pid of started) {
    killMarked(`pushbench-chromium-${pid}-`);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  await cleanOutput();
});

/** Chromium profile dirs of one host left in the temp dir. */
function profilesOf(hostPid: number): string[] {
  return readdirSync(os.tmpdir()).filter((name) => name.startsWith(`pushbench-chromium-${hostPid}-`));
}

/** Renderer processes of one host's Chromium. */
function renderersOf(hostPid: number): number[] {
  return processesWith(`pushbench-chromium-${hostPid}-`).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer');
    } catch {
      return false;
    }
  });
}

const CRASH_YAML = `
name: browser-crash-test
protocols: [websocket]
clients: 1
browsers: 1
ramp: 200ms
warmup: 200ms
duration: 20s
drain: 500ms
source: { rate: 5/s, size: 64B }
`;

describe('Chromium is always shut down', { timeout: 60_000 }, () => {
  test('a page that fails mid-run fails the run with PB_BROWSER_FAILED; no Chromium is left', async () => {
    const startedAt = Date.now();
    const { outcome, results, hostPids } = await runYaml(CRASH_YAML, (hostPid) => {
      started.push(hostPid);
      // Once the page is up (two renderers: the blank tab and ours) and running, kill the renderers.
      void waitUntil(() => renderersOf(hostPid).length >= 2, 30_000)
        .then(() => new Promise((r) => setTimeout(r, 2_500)))
        .then(() => {
          for (const pid of renderersOf(hostPid)) process.kill(pid, 'SIGKILL');
        });
    });
    assert.ok(outcome.failure, 'the run failed');
    assert.match(
      `${(outcome.failure as { code?: string }).code} ${outcome.failure.message}`,
      /PB_BROWSER_FAILED|crash/,
    );
    assert.ok(Date.now() - startedAt < 20_000, 'the failure ended the run early, not at its end');
    assert.equal(results.runs.length, 0, 'no run completed, and results.json was still written');
    await assertNothingLeft(hostPids);
    assert.deepEqual(profilesOf(hostPids[0]), [], 'the Chromium profile was removed');
  });

  test('a runner killed with SIGKILL leaves no Chromium: the host closes it when its IPC channel closes', async () => {
    fixture = spawn(process.execPath, ['--import', TSX, FIXTURE.pathname], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(fixture.stdout!, 'data')) as [Buffer];
    const { hostPid, up, children } = JSON.parse(line.toString()) as {
      hostPid: number;
      up: boolean;
      children: number[];
    };
    started.push(hostPid, ...children);
    assert.ok(up, 'Chromium was running');
    assert.ok(chromiumOf(hostPid).length > 0);
    fixture.kill('SIGKILL');
    await once(fixture, 'exit');
    const clean = await waitUntil(
      () => chromiumOf(hostPid).length === 0 && children.every((pid) => !isAlive(pid)),
      15_000,
    );
    assert.ok(clean, `left: chromium ${chromiumOf(hostPid)}, children ${children.filter(isAlive)}`);
    assert.deepEqual(profilesOf(hostPid), [], 'the Chromium profile was removed');
  });
});
