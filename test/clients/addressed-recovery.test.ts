/**
 * Recovery time in addressed mode: a resumed WebSocket / SSE client has caught up once it holds
 * the last message the server had for it when it reopened (the hello's lastForClient,
 * docs/wire.md), not when its own next addressed message happens to arrive.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient, type PushClient } from '../../clients/registry.ts';
import type { Envelope } from '../../core/types.ts';
import { type RunningServer, startServer } from '../../servers/app.ts';
import { Forwarder, nextEvent, until } from './helpers.ts';

const SETTINGS = {
  sseKeepAliveMs: 1_000,
  heartbeat: { intervalMs: 300, timeoutMs: 300 },
  backoff: { initialMs: 100, maxMs: 400, jitter: 0 },
};
/** The backlog arrives right after the hello on loopback: caught up within this of the reopen. */
const CATCH_UP_WITHIN_MS = 200;

describe('addressed mode: caught up when the backlog is in', () => {
  let server: RunningServer;
  let fwd: Forwarder;
  let baseUrl: string;
  let recorder: Recorder | undefined;
  let client: PushClient | undefined;

  before(async () => {
    server = await startServer({ port: 0, ratePerS: 0, protocols: ['websocket', 'sse'] });
    fwd = new Forwarder(server.port);
    baseUrl = await fwd.listen();
  });
  afterEach(async () => {
    await client?.stop();
    recorder?.close();
  });
  after(async () => {
    await fwd.close();
    await server.close();
  });

  for (const protocol of ['websocket', 'sse'] as const) {
    it(`${protocol}: the last message published before the reopen was for another client`, async () => {
      recorder = new Recorder({ protocol });
      const c = createClient(clientConfig({ id: 'a', protocol, baseUrl }, SETTINGS), recorder);
      client = c;
      const got: number[] = [];
      c.on('message', (env: Envelope) => got.push(env.seq));
      const opened = nextEvent(c, 'open', 5_000);
      c.start();
      await opened;
      const first = server.source.publish('for a', { to: 'a' }).seq;
      await until('the first message', () => got.includes(first));
      fwd.setDown(true);
      fwd.cut();
      const mine = [
        server.source.publish('a 1', { to: 'a' }).seq,
        server.source.publish('a 2', { to: 'a' }).seq,
      ];
      // The newest messages are someone else's (round-robin addressing does this all the time).
      for (let i = 0; i < 3; i++) server.source.publish('for b', { to: 'b' });
      if (c.connected) await nextEvent(c, 'dead', 5_000);
      fwd.setDown(false);
      const [openAtMs] = await nextEvent<[number]>(c, 'open', 5_000);
      await until('the backlog', () => mine.every((s) => got.includes(s)));
      await new Promise((r) => setTimeout(r, CATCH_UP_WITHIN_MS));
      const [event] = recorder.snapshot().reconnects;
      assert.ok(event.caughtUpAtMs !== undefined, 'caught up without waiting for a newer message to a');
      assert.ok(
        event.caughtUpAtMs - openAtMs <= CATCH_UP_WITHIN_MS,
        `caught up ${(event.caughtUpAtMs - openAtMs).toFixed(0)} ms after the reopen`,
      );
      assert.deepEqual(got, [first, ...mine]);
    });
  }
});
