import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, afterEach, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PROTOCOLS } from '../../core/types.ts';
import type { GeneratorConfig, GeneratorMessage } from '../../runner/generator.ts';
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
    it(`${protocol}: init → ready → start → progress → snapshot → stop → final, then exit 0`, async () => {
      const child = spawnGenerator();
      child.send({ type: 'init', config: config(protocol, 4) });
      await nextMessage(child, 'ready');
      child.send({ type: 'start' });
      const progress = await nextMessage(
        child,
        'progress',
        10_000,
        (m) => m.connected === 4 && m.delivered > 0,
      );
      assert.ok(progress.atMs > 0);
      child.send({ type: 'snapshot' });
      const { report: snap } = await nextMessage(child, 'snapshot');
      assert.equal(snap.clients.length, 4);
      assert.equal(snap.workerIndex, 1);
      assert.equal(snap.protocol, protocol);
      child.send({ type: 'stop' });
      const { report } = await nextMessage(child, 'final');
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
    child.send({ type: 'init', config: config('websocket', 2) });
    await nextMessage(child, 'ready');
    child.send({ type: 'start' });
    await nextMessage(child, 'progress', 10_000, (m) => m.connected === 2);
    child.disconnect();
    assert.equal(await exitCode(child), 0);
  });

  it('answers a bad init with every problem and exits 1', async () => {
    const child = spawnGenerator();
    child.send({ type: 'init', config: { protocol: 'carrier-pigeon', clientIds: [1], targetUrl: 'nope' } });
    const err = await nextMessage(child, 'error');
    assert.equal(err.code, 'PB_BAD_OPTION');
    assert.ok((err.problems ?? []).length >= 4, JSON.stringify(err.problems));
    assert.equal(await exitCode(child), 1);
  });

  it('refuses a non-loopback target', async () => {
    const child = spawnGenerator();
    child.send({ type: 'init', config: { ...config('sse', 1), targetUrl: 'http://192.0.2.1:8080' } });
    const err = await nextMessage(child, 'error');
    assert.equal(err.code, 'PB_REMOTE_TARGET');
    assert.equal(await exitCode(child), 1);
  });
});
