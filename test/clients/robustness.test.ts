import assert from 'node:assert/strict';
import http from 'node:http';
import { afterEach, describe, it } from 'node:test';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient } from '../../clients/registry.ts';
import type { Envelope } from '../../core/types.ts';
import { envelope, nextEvent, rawWsServer, until } from './helpers.ts';

type Closer = () => Promise<void> | void;
let cleanups: Closer[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

describe('bad input and crashes are counted, never fatal', () => {
  it('websocket: bad JSON and malformed envelopes are counted and skipped', async () => {
    const { wss, url, close } = await rawWsServer();
    cleanups.push(close);
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'hello', lastSeq: 0, oldestSeq: 1 }));
      ws.send('{not json');
      ws.send('42');
      ws.send(JSON.stringify({ seq: 'one', t: 1, data: 'x' }));
      ws.send(JSON.stringify({ type: 'error', code: 'PB_WS_BAD_JSON', message: 'x' }));
      ws.send(JSON.stringify(envelope(1)));
    });
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = createClient(clientConfig({ id: 'bad', protocol: 'websocket', baseUrl: url }), recorder);
    cleanups.push(() => c.stop());
    c.start();
    await until('the good message', () => recorder.delivered === 1);
    const { errors } = recorder.snapshot();
    assert.deepEqual(errors, { 'bad-json': 2, 'bad-envelope': 1, 'server:PB_WS_BAD_JSON': 1 });
    assert.equal(c.connected, true, 'bad input does not cost the connection');
  });

  it("a throwing 'message' listener is a counted client crash: the client reconnects and goes on", async () => {
    const { wss, url, close } = await rawWsServer();
    cleanups.push(close);
    let connections = 0;
    wss.on('connection', (ws) => {
      connections++;
      ws.send(JSON.stringify({ type: 'hello', lastSeq: connections === 1 ? 0 : 1, oldestSeq: 1 }));
      ws.send(JSON.stringify(envelope(connections)));
    });
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = createClient(
      clientConfig(
        { id: 'crashy', protocol: 'websocket', baseUrl: url },
        { backoff: { initialMs: 20, jitter: 0 } },
      ),
      recorder,
    );
    cleanups.push(() => c.stop());
    let thrown = 0;
    c.on('message', (env: Envelope) => {
      if (env.seq === 1 && thrown++ === 0) throw new Error('listener bug');
    });
    c.start();
    const [reason] = await nextEvent<[string]>(c, 'dead', 5_000);
    assert.equal(reason, 'client-crash');
    await until('seq 2 after the reconnect', () => recorder.delivered === 2);
    assert.equal(recorder.snapshot().errors['client-crash'], 1);
  });
});

describe('SSE: an endless line from the server', () => {
  it('is a clear error (sse-line-too-long) and the connection is closed, not a growing buffer', async () => {
    let serverSaw = 0;
    let closedByClient = false;
    const server = http.createServer((_req, res) => {
      serverSaw++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (serverSaw > 1) return; // the reconnect: leave it open and quiet
      res.write('event: hello\ndata: {"type":"hello","lastSeq":0,"oldestSeq":1}\n\ndata: ');
      const chunk = 'x'.repeat(256 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) {}
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => {
        closedByClient = true;
      });
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const recorder = new Recorder();
    cleanups.push(() => recorder.close());
    const c = createClient(
      clientConfig(
        { id: 'endless', protocol: 'sse', baseUrl: url },
        { backoff: { initialMs: 50, jitter: 0 } },
      ),
      recorder,
    );
    cleanups.push(() => c.stop());
    c.start();
    await until('the line error', () => (recorder.snapshot().errors['sse-line-too-long'] ?? 0) === 1, 15_000);
    await until('the server sees the stream closed', () => closedByClient, 3_000);
    assert.equal(recorder.snapshot().errors['client-crash'], undefined);
  });
});
