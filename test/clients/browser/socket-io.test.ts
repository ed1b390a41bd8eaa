/**
 * Real Chromium pages over socket.io with Socket.IO's own browser bundle (served by the
 * socket.io server): a short run through the runner with 2 pages beside 2 Node clients, over
 * both transports; every page's pushes arrive, latency and proxy-counted bytes reach results.json.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertConsistent, assertNothingLeft, cleanOutput, runOf, runYaml } from './helpers.ts';

after(cleanOutput);

const yaml = (transport: string) => `
name: browser-socketio-${transport}
protocols: [socket.io]
clients: 2
browsers: 2
ramp: 300ms
warmup: 300ms
duration: 2s
drain: 1s
source: { rate: 20/s, size: 64B }
socketio: { pingInterval: 1s, pingTimeout: 1s, transports: ${transport} }
`;

describe('browser pages over socket.io', { timeout: 120_000 }, () => {
  for (const transport of ['websocket', 'polling']) {
    test(`${transport}: pages receive every push through Socket.IO's browser client`, async () => {
      const { outcome, results, hostPids } = await runYaml(yaml(transport));
      assert.equal(outcome.failure, undefined, String(outcome.failure?.stack));
      assert.equal(results.runs.length, 2, 'a Node run and a browser run');
      assertConsistent(results);
      const run = runOf(results, 'socket.io', 'browser');
      assert.equal(run.clients, 2);
      assert.ok(run.delivery.expected >= 2 * 10, `expected ${run.delivery.expected}`);
      assert.equal(run.delivery.lost, 0, 'nothing lost');
      assert.equal(run.delivery.duplicates, 0);
      assert.ok(run.latencyMs.count >= 2 * 5, `${run.latencyMs.count} latencies`);
      assert.ok(run.latencyMs.p50 > 0 && run.latencyMs.p50 < 250, `p50 ${run.latencyMs.p50} ms`);
      assert.ok(run.bytes.serverToClient > run.bytes.payload, JSON.stringify(run.bytes));
      // The ~40 KB bundle is loaded with the page, not counted: far less than that per page.
      const perPage = run.bytes.serverToClient / 2;
      console.log(
        `socket.io ${transport} browser pages: ${run.delivery.delivered} delivered, p50 ${run.latencyMs.p50} ms, ` +
          `${run.bytes.perDeliveredMessage.toFixed(1)} B per delivered 64 B message`,
      );
      assert.ok(perPage < 20_000, `${perPage} B per page`);
      const node = runOf(results, 'socket.io', 'pushbench');
      assert.equal(node.socketio?.transport, transport);
      await assertNothingLeft(hostPids);
    });
  }
});
