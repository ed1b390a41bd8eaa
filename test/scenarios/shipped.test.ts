import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DEFAULT_PROTOCOLS } from '../../core/types.ts';
import { minWorkers } from '../../scenarios/checks.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { clientsFor, type Scenario } from '../../scenarios/schema.ts';

const dir = new URL('../../scenarios/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
const load = (name: string) => loadScenario(new URL(name, dir).pathname);

/** Wall time of a whole run, all protocols one after another (without process start-up). */
const runMs = (s: Scenario) => s.protocols.length * (s.rampUpMs + s.warmUpMs + s.durationMs + s.drainMs);

describe('shipped scenarios', () => {
  test('the required set is there', () => {
    for (const name of [
      'baseline',
      'silent-drop',
      'reset-storm',
      'flaky-mobile',
      'fanout',
      'header-overhead',
      'browser-silent-drop',
    ]) {
      assert.ok(files.includes(`${name}.yaml`), `${name}.yaml missing`);
    }
  });

  for (const file of files) {
    test(`${file} validates, says what question it answers, and runs in reasonable time`, async () => {
      const s = await load(file);
      assert.equal(`${s.name}.yaml`, file);
      assert.ok(s.description && s.description.length > 20);
      const text = readFileSync(new URL(file, dir), 'utf8');
      assert.ok(text.startsWith('# yaml-language-server: $schema=./scenario.schema.json\n#\n'));
      const question = text.split('\n#\n')[1];
      assert.match(question, new RegExp(`^# ${s.name} — `));
      assert.ok(question.includes('?'), `${file}: the top comment asks no question`);
      const limitMs = s.name === 'fanout' ? 7 * 60_000 : 4 * 60_000;
      assert.ok(runMs(s) <= limitMs, `${file}: ${runMs(s) / 1000} s`);
      assert.ok((s.workers ?? minWorkers(s)) >= minWorkers(s));
    });
  }
});

describe('each scenario asks what it says', () => {
  test('baseline: 4 protocols, 100 clients, 10/s of 256 B, ~25 s per protocol', async () => {
    const s = await load('baseline.yaml');
    assert.deepEqual([...s.protocols].sort(), [...DEFAULT_PROTOCOLS].sort());
    assert.equal(s.clients, 100);
    assert.equal(s.source.ratePerS, 10);
    assert.equal(s.source.sizeBytes, 256);
    assert.equal(s.rampUpMs + s.warmUpMs + s.durationMs, 25_000);
    assert.deepEqual(s.faults, []);
  });

  test('silent-drop: every protocol can detect the blackhole within the window and recover within the run', async () => {
    const s = await load('silent-drop.yaml');
    assert.equal(s.protocols.length, 4);
    const [fault] = s.faults;
    assert.equal(fault.kind, 'blackhole');
    assert.deepEqual(fault.clients, { percent: 50 });
    assert.deepEqual([s.heartbeat.intervalMs, s.heartbeat.timeoutMs], [3000, 3000]);
    const detectBoundMs = {
      websocket: s.heartbeat.intervalMs + s.heartbeat.timeoutMs,
      sse: s.sse.keepAliveMs * s.sse.idleFactor,
      'short-poll': s.poll.intervalMs + s.poll.timeoutMs,
      'long-poll': s.longPoll.waitMs + s.longPoll.marginMs,
    };
    for (const [protocol, boundMs] of Object.entries(detectBoundMs)) {
      assert.ok(
        boundMs < fault.forMs,
        `${protocol} needs ${boundMs} ms to notice a ${fault.forMs} ms outage`,
      );
    }
    assert.ok(s.server.serverPingIntervalMs * 2 < fault.forMs, 'the server reaps zombies within the window');
    const tailMs = s.durationMs - (fault.atMs + fault.forMs);
    assert.ok(tailMs >= s.backoff.maxMs * (1 + s.backoff.jitter), `only ${tailMs} ms to recover`);
    const outageMessages = (s.source.ratePerS * (fault.forMs + tailMs)) / 1000;
    assert.ok(outageMessages < s.server.retentionCount, 'retention covers the outage');
    assert.deepEqual(s.slo, { lost: 0 });
  });

  test('reset-storm: resets, one-shot and sustained, and a FIN close', async () => {
    const s = await load('reset-storm.yaml');
    const kinds = s.faults.map((f) => f.kind);
    assert.ok(kinds.filter((k) => k === 'reset').length >= 3);
    assert.ok(kinds.includes('close'));
    assert.ok(s.faults.some((f) => f.kind === 'reset' && f.forMs > 0));
  });

  test('flaky-mobile: high latency, low bandwidth, flapping', async () => {
    const s = await load('flaky-mobile.yaml');
    assert.ok(s.network && s.network.latencyMs >= 100 && (s.network.rateKbps ?? Infinity) <= 512);
    assert.ok(s.faults.some((f) => f.kind === 'flap'));
  });

  test('fanout: the scale targets — 10,000 websocket and sse, 5,000 polling clients, 1 msg/s, 60 s', async () => {
    const s = await load('fanout.yaml');
    assert.equal(clientsFor(s, 'websocket'), 10_000);
    assert.equal(clientsFor(s, 'sse'), 10_000);
    assert.equal(clientsFor(s, 'long-poll'), 5000);
    assert.equal(clientsFor(s, 'short-poll'), 5000);
    assert.equal(s.heartbeat.intervalMs, 3000);
    assert.equal(s.poll.intervalMs, 1000);
    assert.equal(s.source.ratePerS, 1);
    assert.equal(s.durationMs, 60_000);
    assert.deepEqual(s.slo, { lost: 0, failIfSaturated: true });
    assert.ok(s.workers !== undefined && s.workers >= minWorkers(s));
  });

  test('header-overhead: 1 message/s, 1 s polls, browser headers', async () => {
    const s = await load('header-overhead.yaml');
    assert.equal(s.source.ratePerS, 1);
    assert.equal(s.poll.intervalMs, 1000);
    assert.equal(s.headers, 'browser');
    assert.equal(s.protocols.length, 4);
  });

  test("browser-silent-drop: 2 browser pages, the article's ws.close() give-up, a blackhole", async () => {
    const s = await load('browser-silent-drop.yaml');
    assert.equal(s.browsers, 2);
    assert.equal(s.heartbeat.giveUp, 'close');
    assert.ok(s.faults.some((f) => f.kind === 'blackhole'));
    assert.ok(s.clients <= 20);
  });
});
