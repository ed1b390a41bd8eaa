/**
 * The article's case in a real browser: the network dies silently (a blackhole on the page's
 * proxy) under a websocket page with a 1 s heartbeat that gives up with ws.close() and
 * reconnects from onclose. Its detection time and Chromium's onclose delay after ws.close()
 * are recorded in results.json, and after the fault the page resumes without loss.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertConsistent, assertNothingLeft, cleanOutput, runOf, runYaml } from './helpers.ts';

after(cleanOutput);

const FAULT_AT_MS = 1_000;
const FAULT_FOR_MS = 4_000;
const HEARTBEAT_MS = 1_000;

const YAML = `
name: browser-blackhole-test
protocols: [websocket]
clients: 1
browsers: 1
ramp: 200ms
warmup: 300ms
duration: 8s
drain: 2s
source: { rate: 10/s, size: 64B }
heartbeat: { interval: ${HEARTBEAT_MS}ms, timeout: ${HEARTBEAT_MS}ms, giveUp: close, closeTimeout: 3s }
backoff: { initial: 200ms, max: 1s }
server: { pingInterval: 1s }
faults:
  - { at: ${FAULT_AT_MS}ms, for: ${FAULT_FOR_MS}ms, kind: blackhole, clients: 100% }
`;

describe('browser websocket page under a blackhole', { timeout: 60_000 }, () => {
  test('detection and onclose delay after ws.close() are recorded; the page resumes without loss', async () => {
    const { outcome, results, hostPids } = await runYaml(YAML);
    assert.equal(outcome.failure, undefined, String(outcome.failure?.stack));
    assertConsistent(results);
    const run = runOf(results, 'websocket', 'browser');
    assert.deepEqual(run.faults, [{ kind: 'blackhole', atMs: FAULT_AT_MS, forMs: FAULT_FOR_MS, clients: 1 }]);

    // Dead within interval + timeout of the fault's start (+ 1.5 s tolerance for a loaded machine).
    assert.equal(run.reconnects.count, 1, JSON.stringify(run.reconnects));
    const detectMs = run.reconnects.detectMs.max;
    assert.ok(detectMs > 0 && detectMs <= 2 * HEARTBEAT_MS + 1_500, `detectMs ${detectMs}`);

    const b = run.browser!;
    assert.equal(b.reasons['heartbeat-timeout'], 1, JSON.stringify(b.reasons));
    assert.equal(b.oncloseDelayMs.count, 1, 'the onclose after ws.close() was observed');
    assert.equal(b.oncloseMissing, 0);
    const e = b.events[0];
    assert.equal(e.reason, 'heartbeat-timeout');
    assert.equal(e.detectMs, detectMs);
    // ws.close() right at the give-up, then onclose whenever Chromium fires it: measured, not assumed.
    assert.ok(e.closeCalledAtMs! - e.deadAtMs < 50, `close() ${e.closeCalledAtMs} after dead ${e.deadAtMs}`);
    assert.ok(e.oncloseDelayMs! > 0, `onclose delay ${e.oncloseDelayMs}`);
    assert.equal(e.oncloseDelayMs, b.oncloseDelayMs.max);
    assert.equal(typeof e.closeCode, 'number');
    // The article's order: the reconnect starts from onclose.
    assert.ok(e.openAtMs! >= e.oncloseAtMs!, `reopened at ${e.openAtMs} before onclose at ${e.oncloseAtMs}`);
    assert.ok(e.caughtUpAtMs! >= e.openAtMs!);
    assert.ok(
      run.notes?.some((n) => n.startsWith('onclose after ws.close(): p50')),
      'the report shows it',
    );

    // After the fault: nothing lost, the outage's messages arrived as recovered ones.
    assert.equal(run.delivery.lost, 0);
    assert.equal(run.delivery.delivered, run.delivery.expected);
    assert.ok(run.recoveredLatencyMs.count > 0, 'messages published during the outage were recovered');
    assert.ok(run.reconnects.recoverMs.max > 0);
    await assertNothingLeft(hostPids);
  });
});
