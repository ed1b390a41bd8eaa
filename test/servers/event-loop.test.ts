/**
 * The server's event-loop delay p99 (/stats process.eventLoopP99Ms, docs/servers.md): the
 * monitor's sampling period is subtracted, so an idle server reads near 0 ms (not the 20 ms
 * resolution), and a real block is still measured at its length.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningServer } from '../../servers/app.ts';
import { getJson, testServer } from './helpers.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Keep this thread (and so the in-process server's event loop) busy for ms. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: nothing else runs on this loop meanwhile
  }
}

describe('server event-loop p99', () => {
  let server: RunningServer;
  before(async () => {
    server = await testServer();
  });
  after(async () => {
    await server.close();
  });

  test('an idle server reads well under the 20 ms sampling resolution', async () => {
    // Two full 1 s sampling windows with nothing to do.
    await sleep(2_200);
    const { body } = await getJson(`${server.url}/stats`);
    const p99 = body.process.eventLoopP99Ms as number;
    // Idle reads 0.4-2.8 ms; one stray pause (GC, a timer of the test runner) has read 6.7 ms.
    // The bound stays at half the resolution, so the old, unsubtracted 20.7-22.8 ms fails it.
    assert.ok(p99 >= 0 && p99 < 10, `idle event-loop p99 ${p99} ms (the resolution alone is 20 ms)`);
  });

  test('a 300 ms block is measured as ~300 ms', async () => {
    blockFor(300);
    let p99 = 0;
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      await sleep(100);
      const { body } = await getJson(`${server.url}/stats`);
      p99 = body.process.eventLoopP99Ms;
      if (p99 > 100) break;
    }
    assert.ok(p99 >= 280 && p99 < 360, `event-loop p99 after a 300 ms block: ${p99} ms`);
  });
});
