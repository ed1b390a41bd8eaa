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

    // The loss the fault caused (a loaded machine may add an unrelated early one: not this test's point).
    const b = run.browser!;
    const faultEnd = FAULT_AT_MS + FAULT_FOR_MS;
    const e = b.events.find((x) => x.deadAtMs >= FAULT_AT_MS && x.deadAtMs < faultEnd);
    assert.ok(e, `a loss during the fault: ${JSON.stringify(b.events)}`);
    assert.equal(e.reason, 'heartbeat-timeout');
    // Dead within interval + timeout of the fault's start (+ 1.5 s tolerance for a loaded machine).
    assert.ok(e.detectMs! > 0 && e.detectMs! <= 2 * HEARTBEAT_MS + 1_500, `detectMs ${e.detectMs}`);
    assert.ok(run.reconnects.count >= 1 && run.reconnects.detectMs!.max >= e.detectMs!);
    // ws.close() right at the give-up, then onclose whenever Chromium fires it: measured, not assumed.
    assert.ok(e.closeCalledAtMs! - e.deadAtMs < 50, `close() ${e.closeCalledAtMs} after dead ${e.deadAtMs}`);
    assert.ok(e.oncloseDelayMs! > 0, `onclose delay ${e.oncloseDelayMs}`);
    assert.equal(typeof e.closeCode, 'number');
    assert.ok(b.oncloseDelayMs.count >= 1 && b.oncloseDelayMs.max >= e.oncloseDelayMs!, 'summarized');
    assert.equal(b.oncloseMissing, 0);
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
    assert.ok(run.reconnects.recoverMs!.max > 0);
    await assertNothingLeft(hostPids);
  });
});
