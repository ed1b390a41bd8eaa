import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import type { RunningServer } from '../../servers/app.ts';
import { MessageSource } from '../../servers/source.ts';
import { getJson, testServer, WsPeer, waitUntil } from './helpers.ts';

const MB = 2 ** 20;

describe('retention is bounded in bytes', () => {
  const servers: RunningServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('retentionBytes evicts the oldest messages; a resume past them gets gap', async () => {
    const source = new MessageSource({ ratePerS: 0, retentionBytes: 10_000 });
    for (let i = 0; i < 100; i++) source.publish('z'.repeat(1_000));
    assert.ok(source.retainedBytes <= 10_000, `${source.retainedBytes} B retained`);
    assert.ok(source.retained >= 8 && source.retained < 10, `${source.retained} messages retained`);
    const r = source.since(0);
    assert.deepEqual(r.gap, { from: 1, to: source.oldestSeq - 1 });
    // The newest message stays even when it alone is over the limit.
    source.publish('w'.repeat(20_000));
    assert.equal(source.retained, 1);
    assert.equal(source.oldestSeq, 101);

    const server = await testServer({ retentionBytes: 50_000 });
    servers.push(server);
    for (let i = 0; i < 200; i++) server.source.publish('q'.repeat(1_000));
    const poll = await getJson(`${server.url}/poll?since=0`);
    assert.equal(poll.status, 200);
    assert.ok(poll.body.messages.length < 50, `${poll.body.messages.length} messages answered`);
    assert.equal(poll.body.gap.from, 1);
  });

  test('retentionBytes is checked: out of range is PB_BAD_OPTION', async () => {
    await assert.rejects(testServer({ retentionBytes: 0 }), /retentionBytes/);
    await assert.rejects(testServer({ retentionBytes: 2 ** 30 }), /retentionBytes/);
  });

  test('an SSE stream that fails to open answers 500 PB_INTERNAL (not a hang)', async () => {
    const server = await testServer();
    servers.push(server);
    server.source.slice = () => {
      throw new RangeError('Invalid string length');
    };
    const res = await fetch(`${server.url}/sse?since=0`, { signal: AbortSignal.timeout(3_000) });
    assert.equal(res.status, 500);
    const body = await res.json();
    assert.equal(body.error.code, 'PB_INTERNAL');
  });

  test('a WebSocket resume backlog obeys the send-buffer limit: a paused client holds ~1 MiB, not 40 MB', async () => {
    const server = await testServer({ sendBufferLimitBytes: MB, serverPingIntervalMs: 1_000 });
    servers.push(server);
    const payload = 'b'.repeat(256 * 1024);
    for (let i = 0; i < 160; i++) server.source.publish(payload); // a 40 MB backlog
    // A client that upgrades, asks for everything and never reads.
    const paused = net.connect(server.port, '127.0.0.1');
    paused.on('error', () => {});
    await new Promise<void>((resolve) => paused.once('connect', () => resolve()));
    paused.write(
      'GET /ws?client=paused&since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    paused.pause();
    await new Promise((r) => setTimeout(r, 500));
    // bytesSent is the socket's bytesWritten: what reached the kernel plus what is queued in
    // the server for it. The kernel's loopback buffers take a few MB; the rest is server memory.
    const queued = (server.stats().protocols.websocket?.bytesSent ?? 0) / MB;
    console.log(`written or queued for a paused 40 MB resume: ${queued.toFixed(1)} MB`);
    assert.ok(queued < 16, `${queued.toFixed(1)} MB written or queued for a client that reads nothing`);
    // It misses the protocol pong and is reaped like any zombie.
    await waitUntil(() => server.stats().protocols.websocket?.connections === 0, 5_000, 'paused peer freed');
    paused.destroy();

    // A reading client with the same backlog gets all of it, in order, and the live messages after.
    const peer = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=reader&since=0`);
    await peer.opened;
    server.source.publish('live-1');
    await peer.waitFor((m) => m.filter((x) => x.type === undefined).length === 161, 10_000);
    server.source.publish('live-2');
    await peer.waitFor((m) => m.filter((x) => x.type === undefined).length === 162, 3_000);
    const seqs = peer.envelopes().map((e) => e.seq);
    assert.deepEqual(
      seqs,
      Array.from({ length: 162 }, (_, i) => i + 1),
    );
    assert.equal(server.stats().protocols.websocket?.slowConsumers, 0);
    peer.close();
  });
});
