import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { nowMs } from '../../core/clock.ts';
import { Resources, readExactly } from './helpers.ts';

const res = new Resources();
afterEach(() => res.closeAll());

const DOWN_MS = 400;
const UP_MS = 400;
/** Bytes forwarded at the very end of an up phase may land a little into the next down phase on a busy machine. */
const LANDING_MS = 150;

describe('flap fault', () => {
  it('alternates: down first, bytes pass in up phases only, nothing is lost', async () => {
    const target = await res.target();
    const { proxy, port } = await res.proxy(target);
    const { client, server } = await res.pair(port, target);
    const fault = proxy.apply({ kind: 'flap', downMs: DOWN_MS, upMs: UP_MS, direction: 'up' });
    const arrivals: number[] = [];
    server.on('data', (d: Buffer) => {
      for (let i = 0; i < d.length; i++) arrivals.push(nowMs() - fault.appliedAtMs);
    });
    const count = 100;
    const all = readExactly(server, count);
    for (let i = 0; i < count; i++) {
      client.write('x');
      await new Promise((resolve) => setTimeout(resolve, 20)); // ≈ 2.4 s: three down/up cycles
    }
    fault.remove();
    await all;
    assert.equal(arrivals.length, count);
    const periodMs = DOWN_MS + UP_MS;
    const inDeepDown = arrivals.filter((t) => {
      const phaseMs = t % periodMs;
      return phaseMs > LANDING_MS && phaseMs < DOWN_MS - 20;
    });
    assert.deepEqual(inDeepDown, [], 'bytes arrived in the middle of a down phase');
    const upCycles = new Set(
      arrivals.filter((t) => t % periodMs >= DOWN_MS).map((t) => Math.floor(t / periodMs)),
    );
    assert.ok(upCycles.size >= 2, `bytes passed in ${upCycles.size} up phases`);
    assert.ok(arrivals[0] >= DOWN_MS - 5, `first byte after ${arrivals[0]} ms: the first phase must be down`);
  });
});
