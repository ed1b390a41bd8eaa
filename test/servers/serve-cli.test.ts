import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseServeFlags } from '../../bin/commands/serve.ts';
import { PushbenchError } from '../../core/errors.ts';
import { getJson, waitUntil } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function cli(args: string[]): { child: ChildProcess; out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/pushbench.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => {
    out.stdout += d;
  });
  child.stderr!.on('data', (d) => {
    out.stderr += d;
  });
  return { child, out };
}

async function exitCode(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  let timer: NodeJS.Timeout | undefined;
  const [code] = (await Promise.race([
    once(child, 'exit'),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
    }),
  ])) as [number | null];
  clearTimeout(timer);
  return code;
}

describe('pushbench serve', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  test('flags are validated together with clear problems', () => {
    const good = parseServeFlags({
      protocols: 'sse,websocket',
      port: '0',
      host: '127.0.0.1',
      rate: '600/m',
      size: '1KiB',
      pattern: 'burst',
    });
    assert.deepEqual(good, {
      protocols: ['sse', 'websocket'],
      port: 0,
      host: '127.0.0.1',
      ratePerS: 10,
      sizeBytes: 1024,
      pattern: 'burst',
    });
    assert.throws(
      () =>
        parseServeFlags({
          protocols: 'sse,carrier-pigeon',
          port: '70000',
          host: '',
          rate: 'fast',
          size: '-1',
          pattern: 'x',
        }),
      (err: unknown) => {
        assert.ok(err instanceof PushbenchError);
        assert.equal(err.code, 'PB_BAD_OPTION');
        assert.deepEqual(
          err.problems.map((p) => p.split(':')[0]),
          ['--protocols', '--port', '--host', '--rate', '--size', '--pattern'],
        );
        return true;
      },
    );
  });

  test('--host beyond loopback needs --allow-remote (the rule of core/loopback.ts)', async () => {
    const flags = { protocols: 'sse', port: '0', rate: '0', size: '256', pattern: 'constant' };
    for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
      assert.throws(() => parseServeFlags({ ...flags, host }), { code: 'PB_REMOTE_TARGET' }, host);
      assert.equal(parseServeFlags({ ...flags, host, allowRemote: true }).host, host);
    }
    for (const host of ['127.0.0.1', 'localhost', 'app.localhost', '::1', '::ffff:127.0.0.1'])
      assert.equal(parseServeFlags({ ...flags, host }).host, host);
    const { child, out } = cli(['serve', '--host', '0.0.0.0', '--port', '0', '--rate', '0']);
    children.push(child);
    assert.equal(await exitCode(child, 15_000), 1);
    assert.match(out.stderr, /PB_REMOTE_TARGET: .*--allow-remote.*--host 0\.0\.0\.0: not a loopback address/);
    assert.doesNotMatch(out.stdout, /serving/);
  });

  test('prints every endpoint, serves, and exits 0 within 2 s of SIGINT', async () => {
    const { child, out } = cli([
      'serve',
      '--port',
      '0',
      '--rate',
      '0',
      '--protocols',
      'short-poll,websocket',
    ]);
    children.push(child);
    await waitUntil(() => /stats +GET/.test(out.stdout), 15_000, 'the endpoint list');
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out.stdout)![1];
    assert.match(out.stdout, /short-poll +GET http:\/\/127\.0\.0\.1:\d+\/poll/);
    assert.match(out.stdout, /ws:\/\/127\.0\.0\.1:\d+\/websocket\/ID/);
    assert.doesNotMatch(out.stdout, /\/sse/);
    assert.equal((await getJson(`${url}/poll`)).status, 200);
    const t0 = Date.now();
    child.kill('SIGINT');
    assert.equal(await exitCode(child, 3_000), 0);
    assert.ok(Date.now() - t0 < 2_500, `exit took ${Date.now() - t0} ms`);
  });

  test('bad flags: PB_BAD_OPTION on stderr, exit code 2', async () => {
    const { child, out } = cli(['serve', '--protocols', 'gopher', '--rate', 'x']);
    children.push(child);
    assert.equal(await exitCode(child, 15_000), 2);
    assert.match(out.stderr, /PB_BAD_OPTION/);
    assert.match(out.stderr, /--protocols: unknown protocol "gopher"/);
    assert.match(out.stderr, /--rate:/);
  });
});
