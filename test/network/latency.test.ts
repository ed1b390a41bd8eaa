import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { median, Resources, readExactly } from './helpers.ts';

const res = new Resources();
afterEach(() => res.closeAll());

/** Timers may fire up to ~1 ms early against performance.now(); the upper bound allows for a loaded machine. */
const EARLY_MS = 2;
const LATE_MS = 150;

/** One byte each way, timed separately: client → server (up), then server → client (down). */
async function oneWay(client: Socket, server: Socket): Promise<{ up: number; down: number }> {
  const t0 = performance.now();
  const atServer = readExactly(server, 1);
  client.write(Buffer.from([1]));
  await atServer;
  const t1 = performance.now();
  const atClient = readExactly(client, 1);
  server.write(Buffer.from([2]));
  await atClient;
  return { up: t1 - t0, down: performance.now() - t1 };
}

async function oneWays(client: Socket, server: Socket, n: number): Promise<{ up: number[]; down: number[] }> {
  const out = { up: [] as number[], down: [] as number[] };
  for (let i = 0; i < n; i++) {
    const w = await oneWay(client, server);
    out.up.push(w.up);
    out.down.push(w.down);
  }
  return out;
}

describe('latency fault', () => {
  it('adds latencyMs to the direction asked for only, and to each direction when both', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    // Each direction timed on its own: a delay put on the wrong side, or on both, fails.
    const down = proxy.apply({ kind: 'latency', latencyMs: 100, direction: 'down' });
    const d = await oneWays(client, server, 5);
    assert.ok(Math.min(...d.down) >= 100 - EARLY_MS, `down-only, down: ${d.down}`);
    assert.ok(median(d.down) <= 100 + LATE_MS, `down-only, down: ${d.down}`);
    assert.ok(median(d.up) < 50, `down-only, up undelayed: ${d.up}`);
    down.remove();
    const up = proxy.apply({ kind: 'latency', latencyMs: 100, direction: 'up' });
    const u = await oneWays(client, server, 5);
    assert.ok(Math.min(...u.up) >= 100 - EARLY_MS, `up-only, up: ${u.up}`);
    assert.ok(median(u.down) < 50, `up-only, down undelayed: ${u.down}`);
    up.remove();
    const both = proxy.apply({ kind: 'latency', latencyMs: 60 });
    const b = await oneWays(client, server, 5);
    assert.ok(Math.min(...b.up) >= 60 - EARLY_MS, `both, up: ${b.up}`);
    assert.ok(Math.min(...b.down) >= 60 - EARLY_MS, `both, down: ${b.down}`);
    assert.ok(median(b.up) + median(b.down) <= 120 + LATE_MS, `both: ${b.up} / ${b.down}`);
    both.remove();
    assert.equal(both.active, false);
    const clean = await oneWays(client, server, 5);
    assert.ok(median(clean.up) + median(clean.down) < 50, `after removal: ${clean.up} / ${clean.down}`);
  });

  it('applies jitter but keeps the byte order', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    proxy.apply({ kind: 'latency', latencyMs: 30, jitterMs: 30, direction: 'up' });
    const count = 100;
    const received = readExactly(server, count * 4);
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const record = Buffer.alloc(4);
      record.writeUInt32BE(i);
      client.write(record);
      await new Promise((resolve) => setTimeout(resolve, 2)); // separate chunks, so each draws its own delay
    }
    const bytes = await received;
    const elapsedMs = performance.now() - started;
    for (let i = 0; i < count; i++) assert.equal(bytes.readUInt32BE(i * 4), i, `record ${i} out of order`);
    assert.ok(elapsedMs < 10_000, `took ${elapsedMs} ms`);
  });

  it('holds a FIN behind the data it follows', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    proxy.apply({ kind: 'latency', latencyMs: 80, direction: 'up' });
    const started = performance.now();
    const ended = new Promise<number>((resolve) =>
      server.once('end', () => resolve(performance.now() - started)),
    );
    client.end('last words');
    assert.equal((await readExactly(server, 10)).toString(), 'last words');
    assert.ok((await ended) >= 80 - EARLY_MS);
  });
});
