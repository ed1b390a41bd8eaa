// The start command docs/servers.md gives for process managers (systemd, containers):
// `node bin/pushbench.js serve` is one process, so a SIGTERM sent to its PID alone stops the
// server, closes its port and leaves no process behind.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getJson, waitUntil } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** True while any process of the process group `pgid` is alive (signal 0 only checks). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * The running (not zombie) processes of the process group `pgid`, from /proc. A helper that
 * exits after its parent (tsx's esbuild service notices the closed pipe a moment later) is
 * reparented, and a zombie stays listed until the machine's init reaps it: it runs nothing.
 */
function runningInGroup(pgid: number): string[] {
  const running: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing paren.
    const close = stat.lastIndexOf(')');
    const [state, , pgrp] = stat.slice(close + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') running.push(`${pid} ${stat.slice(0, close + 1)}`);
  }
  return running;
}

/** Resolves with the connect error code, or 'connected' if something still listens. */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

describe('node bin/pushbench.js serve under a process manager', () => {
  let child: ChildProcess | undefined;
  after(() => {
    // Own process group (detached): clean up everything in it if the test failed midway.
    if (child?.pid !== undefined && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  });

  test('SIGTERM to its PID only: exits 0 within 2 s, the port closes, no process stays behind', async () => {
    child = spawn(process.execPath, ['bin/pushbench.js', 'serve', '--port', '0', '--rate', '0'], {
      cwd: ROOT,
      detached: true, // its own process group, so that leftovers can be counted
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.resume();
    const exited = once(child, 'exit');
    await waitUntil(() => /stats +GET/.test(stdout), 15_000, 'the endpoint list');
    const port = Number(/on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)![1]);
    assert.equal((await getJson(`http://127.0.0.1:${port}/stats`)).status, 200);

    const t0 = Date.now();
    process.kill(child.pid!, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const [code, signal] = (await Promise.race([
      exited,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('still running 3 s after SIGTERM')), 3_000);
      }),
    ])) as [number | null, string | null];
    clearTimeout(timer);
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
    assert.ok(Date.now() - t0 < 2_000, `exit took ${Date.now() - t0} ms`);
    assert.match(stdout, /SIGTERM: shutting down/);
    assert.equal(await connectOutcome(port), 'ECONNREFUSED');
    // The server's own helpers get 1 s to notice their parent is gone.
    const deadline = Date.now() + 1_000;
    while (runningInGroup(child.pid!).length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(runningInGroup(child.pid!), [], 'processes of its group still running');
  });
});
