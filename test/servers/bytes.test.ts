import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { ProtocolName } from '../../core/types.ts';
import type { RunningServer } from '../../servers/app.ts';
import { rawExchange, testServer, WsPeer, waitUntil } from './helpers.ts';

/** Server-side byte counters equal what the client's own socket saw, to the byte. */
describe('byte counters equal the client socket, per protocol', () => {
  let server: RunningServer | undefined;
  const cleanup: Array<() => void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) c();
    await server?.close();
    server = undefined;
  });
  const start = async (protocol: ProtocolName) => {
    server = await testServer({ protocols: [protocol] });
    server.source.publish('before');
    return server;
  };
  const counters = (p: ProtocolName) => server!.stats().protocols[p]!;

  test('short-poll: one request/response, headers included', async () => {
    await start('short-poll');
    const c = await rawExchange(
      server!.port,
      'GET /poll?client=a&since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    assert.match(c.response, /^HTTP\/1.1 200 OK\r\n[\s\S]*"messages":\[\{"seq":1/);
    await waitUntil(() => counters('short-poll').connections === 0, 3_000, 'the server to close');
    const s = counters('short-poll');
    assert.equal(s.bytesReceived, c.bytesWritten);
    assert.equal(s.bytesSent, c.bytesRead);
    assert.equal(s.requests, 1);
    assert.equal(s.messagesSent, 1);
  });

  test('long-poll: a held request released by a publish', async () => {
    await start('long-poll');
    const exchange = rawExchange(
      server!.port,
      'GET /long-poll?client=a&since=1&wait=10000 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    );
    await waitUntil(() => counters('long-poll').connections === 1, 3_000, 'the poll to be held');
    server!.source.publish('wake');
    const c = await exchange;
    assert.match(c.response, /"data":"wake"/);
    await waitUntil(() => counters('long-poll').connections === 0, 3_000, 'the server to close');
    const s = counters('long-poll');
    assert.equal(s.bytesReceived, c.bytesWritten);
    assert.equal(s.bytesSent, c.bytesRead);
  });

  test('sse: headers, retry, hello, one event (chunked framing included), read live', async () => {
    await start('sse');
    const socket = net.connect(server!.port, '127.0.0.1');
    cleanup.push(() => socket.destroy());
    let seen = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      seen += d;
    });
    socket.write('GET /sse?client=a HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    await waitUntil(() => seen.includes('event: hello'), 3_000, 'the hello');
    server!.source.publish('pushed');
    await waitUntil(() => seen.includes('"data":"pushed"}\n\n'), 3_000, 'the event');
    await waitUntil(() => /\r\n$/.test(seen), 3_000, 'the end of the chunk');
    const s = counters('sse');
    assert.equal(s.bytesReceived, socket.bytesWritten);
    assert.equal(s.bytesSent, socket.bytesRead);
    assert.equal(s.connections, 1);
    assert.match(seen, /transfer-encoding: chunked/i);
  });

  test('websocket: handshake, hello, app ping/pong, one pushed frame (masking included)', async () => {
    await start('websocket');
    const url = `${server!.url.replace('http', 'ws')}/ws?client=a`;
    const p = new WsPeer(url, new WebSocket(url, { perMessageDeflate: false }));
    cleanup.push(() => p.close());
    await p.opened;
    p.ws.send(JSON.stringify({ type: 'ping', t: 1 }));
    await p.waitFor((m) => m.some((x) => x.type === 'pong'));
    server!.source.publish('pushed');
    await p.waitFor(() => p.envelopes().length === 1);
    const socket = (p.ws as unknown as { _socket: net.Socket })._socket;
    const s = counters('websocket');
    assert.equal(s.bytesReceived, socket.bytesWritten);
    assert.equal(s.bytesSent, socket.bytesRead);
    assert.equal(s.messagesReceived, 1);
    assert.equal(s.messagesSent, 1);
  });
});
