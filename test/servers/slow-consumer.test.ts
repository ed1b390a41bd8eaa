import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, describe, test } from 'node:test';
import type { ProtocolName } from '../../core/types.ts';
import type { RunningServer } from '../../servers/app.ts';
import { testServer, WsPeer, waitUntil } from './helpers.ts';

const LIMIT_BYTES = 64 * 1024;
const PAYLOAD = 'x'.repeat(32 * 1024);
/** Upper bound on what the test pushes (the kernel buffers absorb ~10 MB on loopback first). */
const MAX_MESSAGES = 2_000;

/** Publish big messages in batches until the server cuts a slow consumer (bounded). */
async function publishUntilCut(server: RunningServer, protocol: ProtocolName): Promise<number> {
  let sent = 0;
  while (server.stats().protocols[protocol]!.slowConsumers === 0) {
    if (sent >= MAX_MESSAGES) throw new Error(`no cut after ${sent} messages`);
    for (let i = 0; i < 20; i++) server.source.publish(PAYLOAD);
    sent += 20;
    await new Promise((r) => setImmediate(r));
  }
  return sent;
}

describe('a client that stops reading is cut off; memory stays bounded', () => {
  let server: RunningServer | undefined;
  const cleanup: Array<() => void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) c();
    await server?.close();
    server = undefined;
  });
  const start = async (protocol: ProtocolName) => {
    // Small retention: the test must not measure the source's own memory.
    server = await testServer({
      protocols: [protocol],
      sendBufferLimitBytes: LIMIT_BYTES,
      retentionCount: 50,
    });
    return server;
  };

  test('websocket: paused peer is dropped (4008 policy), a reading peer keeps everything', async () => {
    await start('websocket');
    const base = server!.url.replace('http', 'ws');
    const slow = new WsPeer(`${base}/ws?client=slow`);
    const fast = new WsPeer(`${base}/ws?client=fast`);
    cleanup.push(
      () => slow.close(),
      () => fast.close(),
    );
    await Promise.all([slow.opened, fast.opened]);
    await slow.waitFor((m) => m.length === 1);
    slow.ws.pause();
    const rssBeforeMB = process.memoryUsage.rss() / 1e6;
    const sent = await publishUntilCut(server!, 'websocket');
    await waitUntil(
      () => server!.stats().protocols.websocket!.connections === 1,
      3_000,
      'the slow peer to be gone',
    );
    await fast.waitFor(() => fast.envelopes().length === sent, 10_000);
    slow.ws.resume();
    const code = await slow.closed;
    assert.equal(server!.stats().protocols.websocket!.slowConsumers, 1);
    assert.ok(sent * PAYLOAD.length > 4 * LIMIT_BYTES, `cut after ${sent} messages`);
    assert.ok(code === 4008 || code === 1006, `close code ${code}`);
    // Loose sanity bound: the cut happened near the kernel-buffer size, not after hundreds of MB.
    assert.ok(process.memoryUsage.rss() / 1e6 - rssBeforeMB < 400);
  });

  test('sse: a stream whose client stopped reading is destroyed', async () => {
    await start('sse');
    const socket = net.connect(server!.port, '127.0.0.1');
    cleanup.push(() => socket.destroy());
    let seen = '';
    socket.setEncoding('latin1');
    const onData = (d: string) => {
      seen += d;
    };
    socket.on('data', onData);
    socket.on('error', () => {});
    socket.write('GET /sse?client=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const closed = new Promise((r) => socket.once('close', r));
    await waitUntil(() => seen.includes('event: hello'), 3_000, 'the hello');
    socket.pause();
    const sent = await publishUntilCut(server!, 'sse');
    await waitUntil(() => server!.stats().protocols.sse!.connections === 0, 3_000, 'the stream to be gone');
    // Cut once its unread backlog passed the limit, not at the first big event.
    assert.ok(sent * PAYLOAD.length > 4 * LIMIT_BYTES, `cut after ${sent} messages`);
    assert.equal(server!.stats().protocols.sse!.slowConsumers, 1);
    socket.off('data', onData);
    socket.resume();
    await closed;
  });
});
