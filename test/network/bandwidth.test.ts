import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { Resources, readExactly } from './helpers.ts';

const res = new Resources();
afterEach(() => res.closeAll());

describe('bandwidth fault', () => {
  it('limits a direction to rateKbps (64 KiB at 256 kbps ≈ 2.05 s ± 35 %)', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    proxy.apply({ kind: 'bandwidth', rateKbps: 256, direction: 'down' });
    const payload = randomBytes(64 * 1024);
    const expectedMs = (payload.length * 8) / 256; // bits / (kbit/s) = ms
    const started = performance.now();
    const got = readExactly(client, payload.length);
    server.write(payload);
    assert.ok((await got).equals(payload));
    const elapsedMs = performance.now() - started;
    assert.ok(
      Math.abs(elapsedMs - expectedMs) <= expectedMs * 0.35,
      `took ${elapsedMs} ms, expected ≈ ${expectedMs}`,
    );
  });

  it('leaves the other direction alone', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    proxy.apply({ kind: 'bandwidth', rateKbps: 8, direction: 'down' });
    const payload = randomBytes(256 * 1024);
    const started = performance.now();
    const got = readExactly(server, payload.length);
    client.write(payload);
    assert.ok((await got).equals(payload));
    assert.ok(performance.now() - started < 1_000, 'up direction was throttled');
  });
});
