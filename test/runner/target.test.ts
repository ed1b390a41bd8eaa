/**
 * Runs against a target (docs/targets.md): a small generic server written here — its own
 * message shape read through JSON pointers, the article's text ping → pong, resume by a query
 * parameter — through the fault proxy; publish mode over SSE; an unreachable target.
 */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import { resultsProblems } from '../../core/results-schema.ts';
import type { Results } from '../../core/types.ts';
import { runSideBySide } from '../../engines/registry.ts';
import { buildRunViews } from '../../reports/model.ts';
import { liveChildren } from '../../runner/child.ts';
import { runScenario } from '../../runner/runner.ts';
import { resolveScenario } from '../../scenarios/load.ts';

const outDir = path.join(os.tmpdir(), `pushbench-target-test-${process.pid}`);
after(() => rm(outDir, { recursive: true, force: true }));

/**
 * Spring-style `/websocket/{userId}`: its own stream `{"type":"tick","body":{"n","sentAt","text"}}`
 * at `ratePerS`, a `{"type":"status"}` frame every 25th tick (no seq: unparsed), text "ping" →
 * "pong", `?after=N` replays the ticks after N. SSE at /events and POST /publish: each body
 * posted is sent as one event, unchanged.
 */
async function genericServer(ratePerS: number) {
  const ticks: string[] = [];
  const http_ = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/publish') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        for (const s of streams) s.write(`data: ${body}\n\n`);
        res.writeHead(204).end();
      });
      return;
    }
    if (req.url?.startsWith('/events')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(': hi\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    res.writeHead(404).end();
  });
  const streams = new Set<http.ServerResponse>();
  const wss = new WebSocketServer({ noServer: true });
  http_.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (!/^\/websocket\/[^/]+$/.test(u.pathname)) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('message', (data) => {
        if (data.toString() === 'ping') ws.send('pong');
      });
      const afterN = Number(u.searchParams.get('after') ?? ticks.length);
      for (let n = afterN + 1; n <= ticks.length; n++) ws.send(ticks[n - 1]);
    });
  });
  const timer = setInterval(() => {
    const n = ticks.length + 1;
    const frame = JSON.stringify({ type: 'tick', body: { n, sentAt: Date.now(), text: 'x'.repeat(40) } });
    ticks.push(frame);
    for (const ws of wss.clients) {
      ws.send(frame);
      if (n % 25 === 0) ws.send('{"type":"status","ok":true}');
    }
  }, 1000 / ratePerS);
  await new Promise<void>((r) => http_.listen(0, '127.0.0.1', r));
  const port = (http_.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      clearInterval(timer);
      for (const ws of wss.clients) ws.terminate();
      for (const s of streams) s.destroy();
      wss.close();
      http_.closeAllConnections();
      await new Promise((r) => http_.close(r));
    },
  };
}

/** A Socket.IO 4 server of "your own": POST /publish emits the body as event `tick`; connection state recovery on. */
async function socketIoServer() {
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/publish') return;
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      io.emit('tick', JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  const io = new SocketIoServer(server, {
    pingInterval: 500,
    pingTimeout: 500,
    connectionStateRecovery: { maxDisconnectionDuration: 30_000 },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async close() {
      io.disconnectSockets(true);
      await new Promise((r) => io.close(() => r(undefined)));
      server.closeAllConnections();
    },
  };
}

async function readResults(file: string): Promise<Results> {
  const data = JSON.parse(await readFile(file, 'utf8')) as Results;
  assert.deepEqual(resultsProblems(data), []);
  return data;
}

describe('target runs', () => {
  test('a generic WebSocket server read through JSON pointers, text ping/pong, a blackhole detected and resumed by ?after', async () => {
    const server = await genericServer(40);
    try {
      const scenario = resolveScenario(
        {
          name: 'target-generic',
          protocols: ['websocket'],
          clients: 6,
          ramp: '300ms',
          warmup: '300ms',
          duration: '5s',
          drain: '2s',
          heartbeat: { form: 'text', interval: '400ms', timeout: '400ms' },
          backoff: { initial: '100ms', max: '300ms' },
          target: {
            profile: 'generic',
            url: server.url,
            paths: { websocket: '/websocket/{client}' },
            message: { seq: '/body/n', t: '/body/sentAt', data: '/body/text' },
            resume: { websocket: 'query:after' },
          },
          faults: [{ kind: 'blackhole', at: '1s', for: '1500ms', clients: '50%' }],
        },
        'target-generic',
      );
      const outcome = await runScenario({ scenario, outDir, quiet: true });
      assert.equal(outcome.failure, undefined, String(outcome.failure));
      const [run] = (await readResults(outcome.file)).runs;
      const what = JSON.stringify({
        delivery: run.delivery,
        reconnects: run.reconnects,
        errors: run.errors,
        notes: run.notes,
      });
      assert.equal(run.target?.profile, 'generic');
      assert.equal(run.target?.mode, 'observe');
      assert.equal(run.target?.resume, 'query:after');
      assert.equal(run.heartbeatForm, 'text');
      assert.ok(run.delivery.delivered > 6 * 40 * 3, what);
      assert.ok(run.latencyMs.count > 0 && run.latencyMs.p50 > 0 && run.latencyMs.p50 < 100, what);
      assert.equal(run.delivery.lost, 0, what);
      assert.ok((run.pingRttMs?.count ?? 0) > 0, 'text pings were answered by text pongs');
      assert.ok((run.delivery.unparsed ?? 0) > 0, what);
      assert.match(run.errorSamples?.unparsed ?? '', /"status"/);
      // Half of the 6 clients were blackholed: each detected by the missing pong and resumed.
      assert.equal(run.reconnects.affected, 3, what);
      assert.equal(run.reconnects.detected, 3, what);
      assert.equal(run.reconnects.caughtUp, 3, what);
      assert.ok(run.reconnects.detectMs && run.reconnects.detectMs.max < 1_500, what);
      assert.ok(run.recoveredLatencyMs.count > 0, 'the replayed ticks are recovered deliveries');
      assert.deepEqual(run.server, { cpuPct: null, rssMB: null, eventLoopP99Ms: null });
      assert.ok(run.notes?.some((n) => n.includes('not measured')));
      assert.ok(run.notes?.some((n) => n.includes('seq gaps')));
    } finally {
      await server.close();
    }
    assert.equal(liveChildren().length, 0);
  });

  test('publish mode: pushbench POSTs every envelope, the SSE stream is counted exactly', async () => {
    const server = await genericServer(1);
    try {
      const scenario = resolveScenario(
        {
          name: 'target-publish',
          protocols: ['sse'],
          clients: 4,
          ramp: '200ms',
          warmup: '300ms',
          duration: '2s',
          drain: '1s',
          source: { rate: '25/s', size: '64B' },
          target: {
            profile: 'generic',
            url: server.url,
            paths: { sse: '/events' },
            publish: { url: `${server.url}/publish` },
          },
        },
        'target-publish',
      );
      const outcome = await runScenario({ scenario, outDir, quiet: true });
      assert.equal(outcome.failure, undefined, String(outcome.failure));
      const [run] = (await readResults(outcome.file)).runs;
      const what = JSON.stringify({
        delivery: run.delivery,
        latency: run.latencyMs,
        payload: run.bytes.payload,
        errors: run.errors,
        notes: run.notes,
      });
      assert.equal(run.target?.mode, 'publish');
      assert.ok(run.delivery.expected >= 4 * 25 * 2, what);
      assert.equal(run.delivery.lost, 0, what);
      assert.equal(run.delivery.delivered, run.delivery.expected, what);
      assert.equal(run.bytes.payload, run.delivery.delivered * 64, what);
      // A sanity bound (t is the scheduled publish time, read back through the pointers): the
      // counting above is what this test is about; on a loaded 2-core machine p99 reached 215 ms.
      assert.ok(run.latencyMs.p50 > 0 && run.latencyMs.p99 < 1_000, what);
    } finally {
      await server.close();
    }
  });

  test('socket.io profile: your own Socket.IO server, its event read through pointers, a blackhole recovered by connection state recovery', async () => {
    const server = await socketIoServer();
    try {
      const scenario = resolveScenario(
        {
          name: 'target-socketio',
          protocols: ['socket.io'],
          clients: 6,
          ramp: '300ms',
          warmup: '300ms',
          duration: '4s',
          drain: '1s',
          source: { rate: '20/s', size: '64B' },
          socketio: { pingInterval: '500ms', pingTimeout: '500ms' },
          backoff: { initial: '100ms', max: '300ms' },
          target: {
            profile: 'socket.io',
            url: server.url,
            event: 'tick',
            publish: { url: `${server.url}/publish` },
          },
          faults: [{ kind: 'blackhole', at: '1s', for: '1500ms', clients: '50%' }],
        },
        'target-socketio',
      );
      const outcome = await runScenario({ scenario, outDir, quiet: true });
      assert.equal(outcome.failure, undefined, String(outcome.failure));
      const [run] = (await readResults(outcome.file)).runs;
      const what = JSON.stringify({
        d: run.delivery,
        rc: run.reconnects,
        sio: run.socketio,
        errors: run.errors,
        notes: run.notes,
      });
      assert.equal(run.target?.profile, 'socket.io');
      assert.ok(run.delivery.expected >= 6 * 20 * 3, what);
      assert.equal(run.delivery.lost, 0, what);
      assert.equal(run.delivery.delivered, run.delivery.expected, what);
      assert.equal(run.delivery.unparsed, 0, what);
      assert.ok(run.latencyMs.count > 0 && run.latencyMs.p99 < 500, what);
      assert.equal(run.reconnects.detected, 3, what);
      assert.equal(run.reconnects.caughtUp, 3, what);
      assert.ok(run.reconnects.detectMs && run.reconnects.detectMs.max < 1_500, what);
      assert.equal(run.socketio?.resumedBy.recovery, run.reconnects.count, what);
      assert.ok(run.recoveredLatencyMs.count > 0, what);
    } finally {
      await server.close();
    }
  });

  test("--side-by-side: pushbench's own server, then the target, in one results.json, labelled by target", async () => {
    const server = await genericServer(1);
    try {
      const scenario = resolveScenario(
        {
          name: 'target-side-by-side',
          protocols: ['sse'],
          clients: 2,
          ramp: '100ms',
          warmup: '200ms',
          duration: '1500ms',
          drain: '500ms',
          source: { rate: '20/s', size: '64B' },
          target: { url: server.url, paths: { sse: '/events' }, publish: { url: `${server.url}/publish` } },
        },
        'target-side-by-side',
      );
      const outcome = await runSideBySide('pushbench', { scenario, outDir, quiet: true });
      assert.equal(outcome.failure, undefined, String(outcome.failure));
      const results = await readResults(outcome.file);
      assert.deepEqual(
        buildRunViews(results).map((r) => r.label),
        ['sse', 'sse @ generic'],
      );
      const [own, target] = results.runs;
      assert.equal(own.target, undefined);
      assert.ok((own.server.rssMB ?? 0) > 0, "pushbench's own server is measured");
      assert.equal(target.server.rssMB, null);
      for (const run of results.runs)
        assert.ok(run.delivery.delivered > 0 && run.delivery.lost === 0, JSON.stringify(run.delivery));
    } finally {
      await server.close();
    }
    await assert.rejects(
      runSideBySide('pushbench', {
        scenario: resolveScenario({ protocols: ['sse'] }, 'x'),
        outDir,
        quiet: true,
      }),
      /--side-by-side: needs a target/,
    );
  });

  test('an unreachable target fails within seconds with PB_TARGET_UNREACHABLE naming the URL', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const url = `http://127.0.0.1:${port}`;
    const scenario = resolveScenario(
      {
        name: 'target-down',
        protocols: ['sse'],
        clients: 2,
        duration: '2s',
        target: { url, paths: { sse: '/x' } },
      },
      'target-down',
    );
    const started = Date.now();
    const err = await runScenario({ scenario, outDir, quiet: true }).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    assert.ok(Date.now() - started < 5_000, `failed after ${Date.now() - started} ms`);
    assert.equal(err?.code, 'PB_TARGET_UNREACHABLE');
    assert.match(String(err?.message), new RegExp(url.replace(/[.]/g, '\\.')));
    assert.equal(liveChildren().length, 0);
  });

  test('a non-loopback target needs --allow-remote', async () => {
    const scenario = resolveScenario(
      {
        name: 'target-remote',
        protocols: ['sse'],
        clients: 1,
        duration: '1s',
        target: { url: 'http://192.0.2.1:80', paths: { sse: '/x' } },
      },
      'target-remote',
    );
    await assert.rejects(runScenario({ scenario, outDir, quiet: true }), { code: 'PB_REMOTE_TARGET' });
  });
});
