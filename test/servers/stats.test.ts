import assert from 'node:assert/strict';
import os from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../servers/app.ts';
import { getJson, SseReader, testServer, WsPeer } from './helpers.ts';

describe('/stats and /metrics', () => {
  let server: RunningServer;
  let ws: WsPeer;
  let sse: SseReader;
  before(async () => {
    server = await testServer({ sseKeepAliveMs: 50 });
    ws = new WsPeer(`${server.url.replace('http', 'ws')}/ws?client=a`);
    sse = new SseReader(`${server.url}/sse?client=a`);
    await ws.opened;
    await sse.waitFor((e) => e.length === 1);
    server.source.publish('x');
    await getJson(`${server.url}/poll?client=a&since=0`);
  });
  after(async () => {
    ws.close();
    sse.close();
    await server.close();
  });

  test('GET /stats has exactly the shape of docs/wire.md', async () => {
    const { status, body } = await getJson(`${server.url}/stats`);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['source', 'protocols', 'zombies', 'process']);
    assert.deepEqual(body.source, { lastSeq: 1, oldestSeq: 1, published: 1, retained: 1 });
    assert.deepEqual(Object.keys(body.protocols), ['short-poll', 'long-poll', 'sse', 'websocket']);
    for (const p of Object.values(body.protocols) as Array<Record<string, number>>) {
      assert.deepEqual(Object.keys(p), [
        'connections',
        'messagesSent',
        'messagesReceived',
        'bytesSent',
        'bytesReceived',
        'requests',
        'slowConsumers',
      ]);
    }
    assert.equal(body.protocols.websocket.connections, 1);
    assert.equal(body.protocols.sse.connections, 1);
    assert.equal(body.protocols['short-poll'].messagesSent, 1);
    assert.equal(body.protocols['long-poll'].requests, 0);
    assert.deepEqual(body.zombies, { reaped: 0, events: [] });
    assert.deepEqual(Object.keys(body.process), [
      'cpuPct',
      'cpuUserMs',
      'cpuSystemMs',
      'rssMB',
      'eventLoopP99Ms',
    ]);
    // The server runs in this process: its figures are this process's own.
    const cpu = process.cpuUsage();
    const p = body.process;
    assert.ok(p.cpuUserMs > 0 && p.cpuUserMs <= cpu.user / 1000 + 1, `cpuUserMs ${p.cpuUserMs}`);
    assert.ok(cpu.user / 1000 - p.cpuUserMs < 100, `cpuUserMs ${p.cpuUserMs} vs ${cpu.user / 1000}`);
    assert.ok(p.cpuSystemMs <= cpu.system / 1000 + 1 && cpu.system / 1000 - p.cpuSystemMs < 100);
    const rssMB = process.memoryUsage.rss() / (1024 * 1024);
    assert.ok(Math.abs(p.rssMB / rssMB - 1) < 0.1, `rssMB ${p.rssMB} vs ${rssMB}`);
    // Start-up and the connections above cost CPU in the window; the loop delay stays under the 50 ms saturation mark.
    assert.ok(p.cpuPct > 0 && p.cpuPct <= 100 * os.cpus().length, `cpuPct ${p.cpuPct}`);
    assert.ok(p.eventLoopP99Ms >= 0 && p.eventLoopP99Ms < 50, `eventLoopP99Ms ${p.eventLoopP99Ms}`);
  });

  test('GET /metrics is Prometheus text with the same figures', async () => {
    const res = await fetch(`${server.url}/metrics`);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^# HELP pushbench_connections /m);
    assert.match(text, /^# TYPE pushbench_bytes_sent_total counter$/m);
    assert.match(text, /^pushbench_connections\{protocol="websocket"\} 1$/m);
    assert.match(text, /^pushbench_source_last_seq 1$/m);
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
    for (const line of text.trim().split('\n')) {
      assert.match(line, /^(# (HELP|TYPE) \w+ .+|[a-z_0-9]+(\{protocol="[a-z-]+"\})? [\d.e+-]+)$/, line);
    }
  });

  test('SSE keep-alive comments arrive every sseKeepAliveMs', async () => {
    const before = sse.raw.split(': ka\n\n').length;
    await sse.waitFor(() => sse.raw.split(': ka\n\n').length >= before + 2, 3_000);
  });
});
