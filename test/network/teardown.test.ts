/**
 * Regression: a connection ended while a fault held its bytes, FIN or RST used to leave a
 * socket handle the proxy could never close (an RST sent while a FIN was still pending): its
 * link stayed open forever and the process, once done, spun at 100 % CPU instead of exiting.
 * Each scenario runs in its own child process (teardown-child.ts), which must exit by itself.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./teardown-child.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
/** Generous: a child starts tsx and runs for ~1–2 s; a regression never exits at all. */
const EXIT_TIMEOUT_MS = 20_000;
/** The far peer saw an RST after the FIN: its next write fails with one of these. */
const RST_SEEN = ['ECONNRESET', 'EPIPE'];

const children = new Set<ChildProcess>();
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Run one scenario; kill it if it has not exited after EXIT_TIMEOUT_MS. */
function runChild(scenario: string): Promise<Outcome> {
  const child = spawn(process.execPath, ['--import', TSX, CHILD, scenario], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, EXIT_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, timedOut, stdout, stderr });
    });
  });
}

/** Run `scenario`, check that it exited cleanly with every link closed; return its report. */
async function exitsCleanly(scenario: string): Promise<Record<string, unknown>> {
  const out = await runChild(scenario);
  const context = `stdout: ${out.stdout}\nstderr: ${out.stderr}`;
  assert.equal(
    out.timedOut,
    false,
    `did not exit within ${EXIT_TIMEOUT_MS} ms (spinning at exit?)\n${context}`,
  );
  assert.equal(out.code, 0, context);
  const report = JSON.parse(out.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  assert.equal(report.scenario, scenario);
  assert.equal(report.linksClosed, true, `links left open: ${report.openLinks}`);
  assert.ok((report.closeMs as number) < 1_000, `proxy.close() took ${report.closeMs} ms`);
  assert.ok((report.timerLagMs as number) < 1_000, `a 50 ms timer was late by ${report.timerLagMs} ms`);
  return report;
}

describe('teardown with bytes, FIN or RST held by a fault', { concurrency: 4 }, () => {
  it('client destroyed during a blackhole while the server keeps sending (the report)', async () => {
    await exitsCleanly('blackhole-client-destroyed');
  });

  it('client destroyed during a flap down phase while the server keeps sending', async () => {
    await exitsCleanly('flap-client-destroyed');
  });

  it('server destroyed during a blackhole while the client keeps sending', async () => {
    await exitsCleanly('blackhole-server-destroyed');
  });

  it('a held FIN then RST are delivered as FIN then RST', async () => {
    const report = await exitsCleanly('blackhole-fin-then-rst');
    assert.equal(report.serverBytes, 3);
    assert.ok(
      RST_SEEN.includes(report.serverWriteError as string),
      `server write: ${report.serverWriteError}`,
    );
  });

  it('close then reset in the same tick: both peers get FIN then RST', async () => {
    const report = await exitsCleanly('close-then-reset');
    assert.ok(
      RST_SEEN.includes(report.clientWriteError as string),
      `client write: ${report.clientWriteError}`,
    );
    assert.ok(
      RST_SEEN.includes(report.serverWriteError as string),
      `server write: ${report.serverWriteError}`,
    );
  });

  it('close while a blackhole holds bytes: they are dropped, both peers get a clean FIN', async () => {
    const report = await exitsCleanly('close-while-held');
    assert.deepEqual([report.clientBytes, report.serverBytes], [0, 0]);
    assert.deepEqual(report.errors, [null, null]);
  });

  it('reset while a blackhole holds bytes and FINs both ways', async () => {
    await exitsCleanly('reset-while-held');
  });

  it('resetSocket() right after end(): the FIN goes out, then the RST', async () => {
    const report = await exitsCleanly('reset-socket-after-end');
    assert.equal(report.serverBytes, 3);
    assert.ok(
      RST_SEEN.includes(report.serverWriteError as string),
      `server write: ${report.serverWriteError}`,
    );
  });

  it('resetSocket() after end() with bytes still queued resets at once', async () => {
    const report = await exitsCleanly('reset-socket-after-end-queued');
    assert.ok((report.queuedBytes as number) > 0, 'the scenario queued bytes');
    assert.equal(report.clientError, 'none', 'a refused reset reports EINVAL');
  });
});
