import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { echo, median, pingMs, Resources, readExactly } from './helpers.ts';

const res = new Resources();
afterEach(() => res.closeAll());

/** Timers may fire up to ~1 ms early against performance.now(); the upper bound allows for a loaded machine. */
const EARLY_MS = 2;
const LATE_MS = 150;

async function pings(client: import('node:net').Socket, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await pingMs(client));
  return out;
}

describe('latency fault', () => {
  it('adds latencyMs to one direction, and both directions when asked', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    echo(server);
    const down = proxy.apply({ kind: 'latency', latencyMs: 100, direction: 'down' });
    const downRtts = await pings(client, 5);
    assert.ok(Math.min(...downRtts) >= 100 - EARLY_MS, `down: ${downRtts}`);
    assert.ok(median(downRtts) <= 100 + LATE_MS, `down: ${downRtts}`);
    down.remove();
    const both = proxy.apply({ kind: 'latency', latencyMs: 60 });
    const bothRtts = await pings(client, 5);
    assert.ok(Math.min(...bothRtts) >= 120 - 2 * EARLY_MS, `both: ${bothRtts}`);
    assert.ok(median(bothRtts) <= 120 + LATE_MS, `both: ${bothRtts}`);
    both.remove();
    assert.equal(both.active, false);
    const cleanRtts = await pings(client, 5);
    assert.ok(median(cleanRtts) < 50, `after removal: ${cleanRtts}`);
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
