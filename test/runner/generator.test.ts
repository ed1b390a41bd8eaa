import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { WorkerReport } from '../../clients/report-types.ts';
import type { ChildReply, ReplyError } from '../../core/child-ipc.ts';
import { PROTOCOLS } from '../../core/types.ts';
import { ChildHandle, ChildRequestError } from '../../runner/child.ts';
import type { GeneratorConfig, GeneratorMessage, GeneratorRequest } from '../../runner/generator.ts';
import { type RunningServer, startServer } from '../../servers/app.ts';
import { nextEvent } from '../clients/helpers.ts';

const ENTRY = fileURLToPath(new URL('../../runner/generator.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

let children: ChildProcess[] = [];

function spawnGenerator(): ChildProcess {
  const child = spawn(process.execPath, ['--import', TSX, ENTRY], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}

/** The next IPC message of a given type (rejects after timeoutMs). */
function nextMessage<T extends GeneratorMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs = 10_000,
  filter: (m: Extract<GeneratorMessage, { type: T }>) => boolean = () => true,
): Promise<Extract<GeneratorMessage, { type: T }>> {
  return nextEvent<[GeneratorMessage]>(
    child,
    'message',
    timeoutMs,
    (m) => m.type === type && filter(m as Extract<GeneratorMessage, { type: T }>),
  ).then(([m]) => m as Extract<GeneratorMessage, { type: T }>);
}

let nextId = 1;

/** A request as the runner sends it (`{type, id, ...}`); resolves with its reply. */
function request(child: ChildProcess, msg: GeneratorRequest, timeoutMs = 10_000): Promise<ChildReply> {
  const id = nextId++;
  const reply = nextEvent<[ChildReply]>(
    child,
    'message',
    timeoutMs,
    (m) => m.type === 'reply' && m.id === id,
  ).then(([m]) => m);
  child.send({ ...msg, id });
  return reply;
}

/** The result of a request that must succeed. */
async function result<T>(child: ChildProcess, msg: GeneratorRequest, timeoutMs?: number): Promise<T> {
  const reply = await request(child, msg, timeoutMs);
  assert.equal(reply.error, undefined, `${msg.type}: ${JSON.stringify(reply.error)}`);
  return reply.result as T;
}

/** The error of a request that must fail. */
async function failure(child: ChildProcess, msg: unknown): Promise<ReplyError> {
  const reply = await request(child, msg as GeneratorRequest);
  assert.ok(reply.error, `expected an error reply, got ${JSON.stringify(reply.result)}`);
  return reply.error;
}

function exitCode(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return nextEvent<[number | null]>(child, 'exit', timeoutMs).then(([code]) => code);
}

describe('generator child process', () => {
  let server: RunningServer;

  before(async () => {
    server = await startServer({ port: 0, ratePerS: 20, sizeBytes: 64, protocols: [...PROTOCOLS] });
    server.source.startPacer();
  });
  afterEach(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(
      children.map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : null)),
    );
    children = [];
  });
  after(() => server.close());

  function config(protocol: GeneratorConfig['protocol'], clients: number): GeneratorConfig {
    return {
      workerIndex: 1,
      protocol,
      clientIds: Array.from({ length: clients }, (_, i) => `gen-${protocol}-${i}`),
      targetUrl: server.url,
      rampUpMs: 200,
      warmUpEndsAtMs: Date.now(),
      pollIntervalMs: 100,
      longPollWaitMs: 2_000,
      heartbeat: { intervalMs: 500 },
    };
  }

  for (const protocol of PROTOCOLS) {
    it(`${protocol}: init → start → progress → snapshot → stop → final report, then exit 0`, async () => {
      const child = spawnGenerator();
      await result(child, { type: 'init', config: config(protocol, 4) });
      child.send({ type: 'start' });
      const progress = await nextMessage(
        child,
        'progress',
        10_000,
        (m) => m.connected === 4 && m.delivered > 0,
      );
      assert.ok(progress.atMs > 0);
      const snap = await result<WorkerReport>(child, { type: 'snapshot' });
      assert.equal(snap.clients.length, 4);
      assert.equal(snap.workerIndex, 1);
      assert.equal(snap.protocol, protocol);
      const report = await result<WorkerReport>(child, { type: 'stop' });
      assert.equal(await exitCode(child), 0);
      assert.equal(report.totals.connected, 0, 'every client stopped');
      assert.ok(report.totals.delivered >= snap.totals.delivered);
      assert.equal(report.totals.duplicates, 0);
      assert.ok(report.totals.bytesIn > report.totals.payloadBytes);
      assert.ok(report.timeseries.length >= 1);
      const sum = (pick: (b: (typeof report.timeseries)[number]) => number) =>
        report.timeseries.reduce((n, b) => n + pick(b), 0);
      assert.equal(
        sum((b) => b.delivered),
        report.totals.delivered,
        'time series adds up: delivered',
      );
      assert.equal(
        sum((b) => b.bytesIn),
        report.totals.bytesIn,
        'time series adds up: bytes in',
      );
      assert.equal(
        sum((b) => b.bytesOut),
        report.totals.bytesOut,
        'time series adds up: bytes out',
      );
      assert.ok(report.histograms.steadyUs !== '');
    });
  }

  it('exits when its parent disconnects the IPC channel', async () => {
    const child = spawnGenerator();
    await result(child, { type: 'init', config: config('websocket', 2) });
    child.send({ type: 'start' });
    await nextMessage(child, 'progress', 10_000, (m) => m.connected === 2);
    child.disconnect();
    assert.equal(await exitCode(child), 0);
  });

  it('answers a bad init with every problem and exits 1', async () => {
    const child = spawnGenerator();
    const err = await failure(child, {
      type: 'init',
      config: { protocol: 'carrier-pigeon', clientIds: [1], targetUrl: 'nope' },
    });
    assert.equal(err.code, 'PB_BAD_OPTION');
    assert.ok((err.problems ?? []).length >= 4, JSON.stringify(err.problems));
    assert.equal(await exitCode(child), 1);
  });

  it('refuses a non-loopback target', async () => {
    const child = spawnGenerator();
    const err = await failure(child, {
      type: 'init',
      config: { ...config('sse', 1), targetUrl: 'http://192.0.2.1:8080' },
    });
    assert.equal(err.code, 'PB_REMOTE_TARGET');
    assert.equal(await exitCode(child), 1);
  });

  it('answers a request before init and an unknown request with an error reply, and keeps running', async () => {
    const child = spawnGenerator();
    assert.match((await failure(child, { type: 'snapshot' })).message, /snapshot: send init first/);
    const unknown = await failure(child, { type: 'teleport' });
    assert.equal(unknown.code, 'PB_BAD_OPTION');
    assert.match(unknown.message, /unknown request "teleport"/);
    assert.equal(await result(child, { type: 'stop' }), undefined, 'no report without init');
    assert.equal(await exitCode(child), 0);
  });

  it("ChildHandle turns an error reply into a ChildRequestError with the child's code and problems", async () => {
    const gen = new ChildHandle<GeneratorRequest>('generator (test)', ENTRY);
    try {
      await gen.waitFor('alive', 20_000);
      const err = await gen.request('init', { config: { protocol: 'carrier-pigeon' } }).then(
        () => assert.fail('a bad init must be refused'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ChildRequestError, String(err));
      assert.equal(err.code, 'PB_BAD_OPTION');
      assert.ok(err.problems.length >= 3, JSON.stringify(err.problems));
      assert.match(err.message, /^generator \(test\): .*protocol: expected a protocol name/);
      assert.equal((await gen.exited).code, 1);
    } finally {
      await gen.stop(1_000);
    }
  });
});
