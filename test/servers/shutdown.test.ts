import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunningServer } from '../../servers/app.ts';
import { getJson, type Json, SseReader, testServer, WsPeer, waitUntil } from './helpers.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('close() shuts everything down', () => {
  let server: RunningServer | undefined;
  after(async () => {
    await server?.close();
  });

  test('websocket 1001, SSE ended, held long-poll answered, within 2 s; port closed', async () => {
    server = await testServer();
    const ws = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=a`);
    const sse = new SseReader(`${server.url}/sse?client=a`);
    await ws.opened;
    await sse.waitFor((e) => e.length === 1);
    const held = getJson(`${server.url}/long-poll?client=a&since=${server.source.lastSeq}&wait=30000`);
    await waitUntil(() => server!.stats().protocols['long-poll']!.connections === 1, 3_000, 'the held poll');
    server.source.startPacer();

    const t0 = Date.now();
    await server.close();
    const tookMs = Date.now() - t0;
    assert.ok(tookMs < 2_000, `close took ${tookMs} ms`);
    assert.equal(await ws.closed, 1001);
    assert.deepEqual((await held).body.messages, []);
    await waitUntil(() => sse.ended, 2_000, 'the SSE stream to end');
    assert.equal(server.source.pacing, false);
    const refused = net.connect(server.port, '127.0.0.1');
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
    await server.close(); // idempotent
  });
});

interface Reply {
  type: string;
  id?: number;
  result?: Json;
  error?: { code: string; message: string };
}

/** Fork servers/main.ts with options; resolve once it reports 'listening'. */
async function spawnServer(options: object): Promise<{ child: ChildProcess; url: string; port: number }> {
  const child = fork(`${ROOT}servers/main.ts`, [], {
    cwd: ROOT,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, PUSHBENCH_SERVER_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let timer: NodeJS.Timeout | undefined;
  const [msg] = (await Promise.race([
    once(child, 'message'),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('child did not listen in 15 s')), 15_000);
    }),
  ])) as [{ type: string; url: string; port: number }];
  clearTimeout(timer);
  assert.equal(msg.type, 'listening');
  return { child, url: msg.url, port: msg.port };
}

let nextId = 1;
async function ask(child: ChildProcess, request: object): Promise<Reply> {
  const id = nextId++;
  const reply = new Promise<Reply>((resolve) => {
    const onMessage = (m: Reply) => {
      if (m.type === 'reply' && m.id === id) {
        child.off('message', onMessage);
        resolve(m);
      }
    };
    child.on('message', onMessage);
  });
  child.send({ ...request, id });
  return reply;
}

/** Resolve with the exit code, or reject if the child is still alive after timeoutMs. */
async function exitWithin(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  let timer: NodeJS.Timeout | undefined;
  const [code] = (await Promise.race([
    once(child, 'exit'),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`child still running after ${timeoutMs} ms`)), timeoutMs);
    }),
  ])) as [number | null];
  clearTimeout(timer);
  return code;
}

describe('servers/main.ts child process', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  test('answers IPC requests, then exits 0 within 3 s of SIGTERM, closing its websockets with 1001', async () => {
    const { child, url } = await spawnServer({ port: 0, ratePerS: 100, retentionCount: 5 });
    children.push(child);
    const ws = new WsPeer(`${url.replace('http', 'ws')}/ws?client=c1`);
    await ws.opened;

    assert.deepEqual((await ask(child, { type: 'set-addressed', ids: ['c1', 'c2'] })).result, { ok: true });
    const published = (await ask(child, { type: 'publish', data: 'hi', to: 'c2' })).result;
    assert.equal(published.seq, 1);
    assert.equal(published.to, 'c2');
    await ask(child, { type: 'source-start' });
    await ws.waitFor(() => ws.envelopes().length >= 3, 5_000);
    const { lastSeq } = (await ask(child, { type: 'source-stop' })).result;
    assert.ok(lastSeq >= 6);
    const counts = (
      await ask(child, { type: 'count', queries: [{ client: 'c2', afterSeq: 0, upToSeq: lastSeq }] })
    ).result;
    // seq 1 was published to c2; then generated ones alternate c1, c2, ... (all-time, beyond retention 5)
    assert.deepEqual(counts, [1 + Math.floor((lastSeq - 1) / 2)]);
    const stats = (await ask(child, { type: 'stats' })).result;
    assert.equal(stats.source.lastSeq, lastSeq);
    assert.equal(stats.protocols.websocket.connections, 1);
    const bad = await ask(child, { type: 'nope' });
    assert.equal(bad.error?.code, 'PB_BAD_OPTION');
    const badPublish = await ask(child, { type: 'publish', data: 5 });
    assert.equal(badPublish.error?.code, 'PB_BAD_BODY');

    const t0 = Date.now();
    child.kill('SIGTERM');
    assert.equal(await exitWithin(child, 3_000), 0);
    assert.ok(Date.now() - t0 < 3_000);
    assert.equal(await ws.closed, 1001);
  });

  test('exits 0 on {type:"shutdown"}', async () => {
    const { child } = await spawnServer({ port: 0 });
    children.push(child);
    child.send({ type: 'shutdown' });
    assert.equal(await exitWithin(child, 3_000), 0);
  });

  test('exits when the IPC channel disconnects (parent gone), never orphaned', async () => {
    const { child, port } = await spawnServer({ port: 0 });
    children.push(child);
    child.disconnect();
    assert.equal(await exitWithin(child, 3_000), 0);
    const refused = net.connect(port, '127.0.0.1');
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    assert.equal(err.code, 'ECONNREFUSED');
  });

  test('bad options: reports PB_BAD_OPTION and exits 2', async () => {
    const child = fork(`${ROOT}servers/main.ts`, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, PUSHBENCH_SERVER_OPTIONS: JSON.stringify({ port: -1, bogus: 1 }) },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    assert.equal(await exitWithin(child, 15_000), 2);
    assert.match(stderr, /PB_BAD_OPTION/);
    assert.match(stderr, /bogus: unknown option/);
  });
});
