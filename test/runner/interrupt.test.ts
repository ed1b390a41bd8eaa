/**
 * Ctrl-C as a terminal sends it: SIGINT to the whole process group of a `pushbench run`.
 * The children leave it to the runner, every finished run is kept with the interrupted
 * one's partial figures, the CLI says "partial results were written" only when it is true,
 * exits 130, and a second Ctrl-C still writes what was measured.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Results } from '../../core/types.ts';

let dir: string;
const live = new Set<ChildProcess>();

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pushbench-interrupt-'));
});
after(async () => {
  for (const c of live) {
    try {
      process.kill(-(c.pid as number), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

interface Interrupted {
  code: number | null;
  stderr: string;
  stdout: string;
}

/**
 * Start `pushbench run` in its own process group; when `trigger` matches stderr, send
 * SIGINT to the group (`presses` times, 300 ms apart). Resolves when the CLI has exited.
 */
function runAndInterrupt(args: string[], trigger: RegExp, presses = 1): Promise<Interrupted> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/pushbench.ts', 'run', ...args], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let sent = false;
    const limit = setTimeout(() => {
      process.kill(-(child.pid as number), 'SIGKILL');
      reject(new Error(`run did not finish:\n${stderr}`));
    }, 90_000);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (sent || !trigger.test(stderr)) return;
      sent = true;
      for (let i = 0; i < presses; i++)
        setTimeout(
          () => {
            try {
              process.kill(-(child.pid as number), 'SIGINT');
            } catch {
              // the group is gone
            }
          },
          1_000 + i * 300,
        );
    });
    child.on('close', (code) => {
      clearTimeout(limit);
      live.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

async function onlyResults(out: string): Promise<Results> {
  const ids = (await readdir(out)).filter((n) => n !== 'latest');
  assert.equal(ids.length, 1, `one run folder in ${out}: ${ids.join(', ')}`);
  return JSON.parse(await readFile(path.join(out, ids[0], 'results.json'), 'utf8')) as Results;
}

const RUN = ['--clients', '3', '--ramp', '200ms', '--warmup', '200ms', '--drain', '300ms', '--no-report'];

describe('Ctrl-C (SIGINT to the process group)', () => {
  test('keeps the finished run and the interrupted one, says so, exits 130', {
    timeout: 100_000,
  }, async () => {
    const out = path.join(dir, 'one');
    const r = await runAndInterrupt(
      ['--protocols', 'short-poll,sse', '--duration', '3s', '--out', out, ...RUN],
      // The second protocol's progress line: the first run has finished.
      /\[sse\]/,
    );
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /partial results were written/);
    assert.doesNotMatch(r.stderr, /PB_CHILD_CRASHED/);
    const results = await onlyResults(out);
    assert.deepEqual(
      results.runs.map((run) => run.protocol),
      ['short-poll', 'sse'],
    );
    assert.equal(results.runs[0].notes?.some((n) => /interrupted/.test(n)) ?? false, false);
    assert.ok(results.runs[0].delivery.delivered > 0, 'the finished run kept its figures');
    assert.ok(
      results.runs[1].notes?.some((n) => /interrupted \(Ctrl-C\)/.test(n)),
      `the interrupted run carries its note: ${JSON.stringify(results.runs[1].notes)}`,
    );
    assert.ok(results.runs[1].delivery.delivered > 0, 'the interrupted run kept its partial figures');
  });

  test('a second Ctrl-C still writes what was measured', { timeout: 100_000 }, async () => {
    const out = path.join(dir, 'twice');
    const r = await runAndInterrupt(
      ['--protocols', 'websocket', '--duration', '20s', '--out', out, ...RUN],
      /\[websocket\]/,
      2,
    );
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /partial results were written/);
    const results = await onlyResults(out);
    assert.equal(results.runs.length, 1, r.stderr);
    assert.ok(
      results.runs[0].delivery.delivered > 0,
      `${JSON.stringify(results.runs[0].delivery)}\n${r.stderr}`,
    );
  });
});
