/**
 * The pre-built broadcast (servers/ws-frame.ts, servers/sse-event.ts) puts exactly the bytes
 * on the wire that a per-client `ws.send(json)` / `res.write(event)` puts there: the raw
 * bytes after the response head are compared, for small, 16-bit and 64-bit length frames.
 * (test/servers/websocket.test.ts checks the decoded envelopes, with permessage-deflate too.)
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { type RunningServer, startServer } from '../../servers/app.ts';
import { waitUntil } from '../servers/helpers.ts';
import { frameLength, getRequest, RawStream, upgradeRequest } from './helpers.ts';

const SIZES = [10, 300, 70_000];

describe('pre-built broadcast bytes equal per-client sends', () => {
  let server: RunningServer | undefined;
  let bareWs: WebSocketServer | undefined;
  let bareHttp: Server | undefined;
  const raws: RawStream[] = [];
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await server?.close();
    server = undefined;
    if (bareWs) for (const c of bareWs.clients) c.terminate();
    await new Promise<void>((resolve) => (bareWs ? bareWs.close(() => resolve()) : resolve()));
    bareWs = undefined;
    bareHttp?.closeAllConnections();
    await new Promise<void>((resolve) => (bareHttp ? bareHttp.close(() => resolve()) : resolve()));
    bareHttp = undefined;
  });

  test('websocket: each broadcast frame equals ws.send of the same JSON, byte for byte', async () => {
    server = await startServer({ port: 0, ratePerS: 0, protocols: ['websocket'] });
    bareWs = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await once(bareWs, 'listening');
    const barePort = (bareWs.address() as { port: number }).port;
    const ours = new RawStream(server.port, upgradeRequest('/ws?client=raw'));
    const theirs = new RawStream(barePort, upgradeRequest('/'));
    raws.push(ours, theirs);
    const [bareSocket] = (await once(bareWs, 'connection')) as [import('ws').WebSocket];
    const hello = frameLength(await ours.bodyAtLeast(2));
    await ours.bodyAtLeast(hello);
    assert.match(ours.head, /^HTTP\/1\.1 101/);
    let expected = 0;
    for (const size of SIZES) {
      const env = server.source.publish('x'.repeat(size));
      bareSocket.send(JSON.stringify(env));
      expected += frameLength((await theirs.bodyAtLeast(expected + 10)).subarray(expected));
      await theirs.bodyAtLeast(expected);
    }
    const got = (await ours.bodyAtLeast(hello + expected)).subarray(hello);
    assert.equal(got.length, expected, 'nothing else was sent');
    assert.ok(got.equals(theirs.body), 'the same bytes as ws.send');
  });

  test('websocket: the prebuilt protocol ping equals ws.ping(), byte for byte; unanswered, it reaps', async () => {
    server = await startServer({ port: 0, ratePerS: 0, protocols: ['websocket'], serverPingIntervalMs: 50 });
    bareWs = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    await once(bareWs, 'listening');
    const ours = new RawStream(server.port, upgradeRequest('/ws?client=raw'));
    const theirs = new RawStream((bareWs.address() as { port: number }).port, upgradeRequest('/'));
    raws.push(ours, theirs);
    const [bareSocket] = (await once(bareWs, 'connection')) as [import('ws').WebSocket];
    bareSocket.ping();
    const reference = await theirs.bodyAtLeast(2);
    assert.deepEqual([...reference], [0x89, 0x00], 'ws.ping(): FIN + ping opcode, empty payload');
    const hello = frameLength(await ours.bodyAtLeast(2));
    const got = (await ours.bodyAtLeast(hello + 2)).subarray(hello, hello + 2);
    assert.ok(got.equals(reference), 'the same bytes as ws.ping()');
    // A raw peer that never answers is a zombie: reaped after one missed pong (two 50 ms rounds).
    await waitUntil(() => server!.stats().zombies.reaped === 1, 2_000, 'the silent raw peer reaped');
  });

  test('sse: each broadcast event chunk equals res.write of the same event, byte for byte', async () => {
    server = await startServer({ port: 0, ratePerS: 0, protocols: ['sse'] });
    let bareRes: ServerResponse | undefined;
    bareHttp = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': open\n\n');
      bareRes = res;
    });
    bareHttp.listen(0, '127.0.0.1');
    await once(bareHttp, 'listening');
    const ours = new RawStream(server.port, getRequest('/sse?client=raw'));
    const theirs = new RawStream((bareHttp.address() as { port: number }).port, getRequest('/'));
    raws.push(ours, theirs);
    const hello = (await ours.bodyAtLeast(1)).length;
    await theirs.bodyAtLeast(1);
    const opened = theirs.body.length;
    assert.match(ours.head, /transfer-encoding: chunked/i, 'chunk framing is part of what is compared');
    let expected = '';
    for (const size of SIZES) {
      const env = server.source.publish('y'.repeat(size));
      const event = `id: ${env.seq}\ndata: ${JSON.stringify(env)}\n\n`;
      // One res.write per tick: Node 24's http coalesces writes made in the same tick into one
      // chunk, Node 20 frames each; a tick apart, both send one chunk per event.
      bareRes!.write(event);
      await new Promise((resolve) => setImmediate(resolve));
      expected += `${Buffer.byteLength(event).toString(16)}\r\n${event}\r\n`;
    }
    const want = Buffer.from(expected);
    const reference = (await theirs.bodyAtLeast(opened + want.length)).subarray(opened);
    assert.ok(reference.equals(want), 'res.write sent one chunk per event');
    const got = (await ours.bodyAtLeast(hello + want.length)).subarray(hello);
    assert.ok(got.equals(want), 'the same bytes as res.write');
  });
});
