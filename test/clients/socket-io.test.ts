/**
 * socket.io end to end, real sockets: deliveries, latency and socket bytes over both
 * transports (websocket, polling → upgrade), and a silent drop (the fault proxy's blackhole)
 * detected by Socket.IO's own heartbeat within pingInterval + pingTimeout and recovered
 * without loss.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { mergeWorkerReports } from '../../clients/merge.ts';
import { Recorder } from '../../clients/metrics.ts';
import { clientConfig, createClient, type PushClient } from '../../clients/registry.ts';
import type { Envelope } from '../../core/types.ts';
import { FaultProxy } from '../../network/proxy.ts';
import { type RunningServer, startServer } from '../../servers/app.ts';
import { nextEvent, until } from './helpers.ts';

const PING = { socketioPingIntervalMs: 1_000, socketioPingTimeoutMs: 1_000 };
const SETTINGS = {
  backoff: { initialMs: 100, factor: 2, maxMs: 500, jitter: 0 },
} as const;

describe('socket.io client and server', () => {
  let server: RunningServer | undefined;
  let proxy: FaultProxy | undefined;
  let recorder: Recorder | undefined;
  let clients: PushClient[] = [];

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.stop()));
    clients = [];
    recorder?.close();
    recorder = undefined;
    await proxy?.close();
    proxy = undefined;
    await server?.close();
    server = undefined;
  });

  function client(id: string, baseUrl: string, transport: 'websocket' | 'polling'): PushClient {
    recorder ??= new Recorder({ protocol: 'socket.io' });
    const c = createClient(
      clientConfig(
        { id, protocol: 'socket.io', baseUrl },
        { ...SETTINGS, socketio: { transport, pingIntervalMs: 1_000, pingTimeoutMs: 1_000 } },
      ),
      recorder,
    );
    clients.push(c);
    return c;
  }

  for (const transport of ['websocket', 'polling'] as const) {
    it(`${transport}: every message once, in order, latency and socket bytes measured`, async () => {
      server = await startServer({ port: 0, ratePerS: 0, protocols: ['socket.io', 'websocket'], ...PING });
      const c = client(`sio-${transport}`, server.url, transport);
      const got: Envelope[] = [];
      c.on('message', (env: Envelope) => got.push(env));
      const opened = nextEvent(c, 'open', 5_000);
      c.start();
      await opened;
      // polling: let the upgrade to WebSocket happen before measuring.
      await new Promise((r) => setTimeout(r, 300));
      const expected: number[] = [];
      for (let i = 0; i < 40; i++) {
        const to = i % 4 === 1 ? c.id : i % 4 === 2 ? 'someone-else' : undefined;
        const env = server.source.publish(`payload-${i}-é`.padEnd(256, 'x'), to ? { to } : {});
        if (to !== 'someone-else') expected.push(env.seq);
        await new Promise((r) => setTimeout(r, 5));
      }
      await until(`${transport} delivered ${expected.length}`, () => got.length >= expected.length);
      assert.deepEqual(
        got.map((e) => e.seq),
        expected,
      );
      const report = mergeWorkerReports([recorder!.snapshot()]);
      assert.equal(report.totals.delivered, expected.length);
      assert.equal(report.totals.duplicates, 0);
      assert.equal(report.latencyMs.count, expected.length);
      assert.ok(report.latencyMs.p99 < 50, `p99 ${report.latencyMs.p99} ms on loopback`);
      // Bytes at the socket: the client's meter equals what the server's sockets counted, to the byte.
      const stats = server.stats().protocols['socket.io']!;
      await until(
        'server and client byte counts agree',
        () => {
          const t = mergeWorkerReports([recorder!.snapshot()]).totals;
          const s = server!.stats().protocols['socket.io']!;
          return t.bytesIn === s.bytesSent && t.bytesOut === s.bytesReceived;
        },
        2_000,
      );
      const t = mergeWorkerReports([recorder!.snapshot()]).totals;
      const perMessage = (t.bytesIn + t.bytesOut) / t.delivered;
      console.log(
        `socket.io ${transport}: ${t.delivered} delivered, p50 ${report.latencyMs.p50} ms, ` +
          `${t.bytesIn} B in + ${t.bytesOut} B out = ${perMessage.toFixed(1)} B per delivered 256 B message, ` +
          `${stats.requests} HTTP requests`,
      );
      assert.ok(perMessage > 256 && perMessage < 256 + 200, `${perMessage} B per message`);
      // websocket: one upgrade request; polling: handshake, connect, polls, then the upgrade.
      if (transport === 'websocket') assert.equal(stats.requests, 1);
      else assert.ok(stats.requests >= 3, `${stats.requests} requests`);
    });
  }

  it('a blackhole is detected within pingInterval + pingTimeout and recovered without loss', async () => {
    server = await startServer({ port: 0, ratePerS: 20, protocols: ['socket.io'], ...PING });
    const target = new URL(server.url);
    proxy = new FaultProxy({ target: { host: target.hostname, port: Number(target.port) } });
    const lane = await proxy.lane('sio');
    const c = client('sio-drop', `http://127.0.0.1:${lane}`, 'websocket');
    const opened = nextEvent(c, 'open', 5_000);
    server.source.startPacer();
    c.start();
    await opened;
    await new Promise((r) => setTimeout(r, 1_500));
    const fault = proxy.apply({ kind: 'blackhole' });
    const faultAtMs = fault.appliedAtMs;
    const [reason, deadAtMs] = await nextEvent<[string, number]>(c, 'dead', 4_000);
    const detectMs = deadAtMs - faultAtMs;
    await new Promise((r) => setTimeout(r, Math.max(0, 3_000 - (Date.now() - faultAtMs))));
    fault.remove();
    await nextEvent(c, 'open', 5_000);
    await new Promise((r) => setTimeout(r, 500));
    server.source.stopPacer();
    const lastSeq = server.source.lastSeq;
    await until('caught up to the last message', () => c.highWaterSeq >= lastSeq, 5_000);
    const snap = recorder!.snapshot();
    const report = mergeWorkerReports([snap]);
    const expected = server.source.countFor(c.id, c.subscribedAfterSeq!, lastSeq);
    const event = snap.reconnects[0];
    console.log(
      `socket.io blackhole: ${reason} after ${detectMs.toFixed(0)} ms (pingInterval 1 s + pingTimeout 1 s), ` +
        `reopened ${(event.openAtMs! - deadAtMs).toFixed(0)} ms later, resumed by ${event.resumedBy}, ` +
        `${report.totals.recovered} recovered, ${expected - report.totals.delivered} lost`,
    );
    assert.equal(reason, 'ping-timeout');
    assert.ok(detectMs > 0 && detectMs <= 2_000 + 250, `detected after ${detectMs} ms`);
    assert.equal(report.totals.delivered, expected, 'nothing lost');
    assert.equal(report.totals.duplicates, 0);
    assert.ok(report.totals.recovered > 0, 'the outage came back as recovered deliveries');
    assert.ok(event.resumedBy === 'recovery' || event.resumedBy === 'seq');
  });
});
