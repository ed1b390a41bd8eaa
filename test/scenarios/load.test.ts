import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { reportError } from '../../bin/pushbench.ts';
import {
  BACKOFF_DEFAULTS,
  CLIENT_DEFAULTS,
  HEARTBEAT_DEFAULTS,
  RUN_DEFAULTS,
  SERVER_DEFAULTS,
  SOCKETIO_DEFAULTS,
} from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';
import { DEFAULT_PROTOCOLS, PROTOCOLS } from '../../core/types.ts';
import { defaultScenario, loadScenario, parseScenario, resolveScenario } from '../../scenarios/load.ts';
import { clientsFor } from '../../scenarios/schema.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** The problems of a PB_BAD_SCENARIO, failing the test when anything else happens. */
async function problemsOf(load: () => Promise<unknown> | unknown): Promise<string[]> {
  try {
    await load();
  } catch (err) {
    assert.ok(err instanceof PushbenchError, `expected a PushbenchError, got ${err}`);
    assert.equal(err.code, 'PB_BAD_SCENARIO');
    return err.problems;
  }
  assert.fail('the scenario was accepted');
}

describe('defaults', () => {
  test('defaultScenario fills every field from core/defaults.ts', () => {
    const s = defaultScenario();
    assert.equal(s.name, 'default');
    assert.deepEqual(s.protocols, [...DEFAULT_PROTOCOLS]);
    assert.equal(s.clients, RUN_DEFAULTS.clients);
    for (const p of PROTOCOLS) assert.equal(clientsFor(s, p), RUN_DEFAULTS.clients);
    assert.equal(s.durationMs, RUN_DEFAULTS.durationMs);
    assert.equal(s.rampUpMs, RUN_DEFAULTS.rampUpMs);
    assert.equal(s.warmUpMs, RUN_DEFAULTS.warmUpMs);
    assert.equal(s.drainMs, RUN_DEFAULTS.drainMs);
    assert.equal(s.seed, RUN_DEFAULTS.seed);
    assert.deepEqual(s.source, {
      ratePerS: RUN_DEFAULTS.ratePerS,
      sizeBytes: RUN_DEFAULTS.sizeBytes,
      pattern: SERVER_DEFAULTS.pattern,
      burstSize: SERVER_DEFAULTS.burstSize,
      mode: 'broadcast',
      payload: SERVER_DEFAULTS.payload,
    });
    assert.deepEqual(s.poll, {
      intervalMs: CLIENT_DEFAULTS.pollIntervalMs,
      timeoutMs: CLIENT_DEFAULTS.pollTimeoutMs,
    });
    assert.deepEqual(s.longPoll, {
      waitMs: CLIENT_DEFAULTS.longPollWaitMs,
      marginMs: CLIENT_DEFAULTS.longPollMarginMs,
    });
    assert.deepEqual(s.sse, {
      keepAliveMs: CLIENT_DEFAULTS.sseKeepAliveMs,
      idleFactor: CLIENT_DEFAULTS.sseIdleFactor,
    });
    assert.deepEqual(s.heartbeat, HEARTBEAT_DEFAULTS);
    assert.deepEqual(s.backoff, BACKOFF_DEFAULTS);
    assert.deepEqual(s.server, {
      serverPingIntervalMs: SERVER_DEFAULTS.serverPingIntervalMs,
      retentionCount: SERVER_DEFAULTS.retentionCount,
      retentionMs: SERVER_DEFAULTS.retentionMs,
    });
    assert.deepEqual(s.socketio, {
      pingIntervalMs: SERVER_DEFAULTS.socketioPingIntervalMs,
      pingTimeoutMs: SERVER_DEFAULTS.socketioPingTimeoutMs,
      transport: SOCKETIO_DEFAULTS.transport,
    });
    assert.deepEqual(s.compression, { websocket: 'off', http: 'off' });
    assert.equal(s.headers, 'minimal');
    assert.equal(s.browsers, 0);
    assert.deepEqual(s.saturation, { eventLoopP99Ms: RUN_DEFAULTS.saturationMs });
    assert.equal(s.network, null);
    assert.deepEqual(s.faults, []);
    assert.equal(s.slo, null);
    assert.equal(s.workers, undefined);
  });

  test('a minimal file gets the defaults and its own name', async () => {
    const s = await loadScenario(fixture('minimal.yaml'));
    assert.deepEqual(s, { ...defaultScenario(), name: 'minimal' });
  });

  test('without a name, the file name is the name', () => {
    assert.equal(parseScenario('clients: 5\n', 'dir/my-case.yaml').name, 'my-case');
  });
});

describe('units', () => {
  test('every human unit of the full example resolves', async () => {
    const s = await loadScenario(fixture('full.yaml'));
    assert.equal(s.name, 'full-example');
    assert.deepEqual(s.protocols, ['websocket', 'sse']);
    assert.deepEqual(s.clientsByProtocol, { websocket: 300, sse: 200 });
    assert.equal(s.clients, 300);
    assert.equal(s.workers, 2);
    assert.equal(s.rampUpMs, 4000);
    assert.equal(s.warmUpMs, 1500);
    assert.equal(s.durationMs, 60_000);
    assert.equal(s.drainMs, 3000);
    assert.deepEqual(s.source, {
      ratePerS: 10,
      sizeBytes: 1024,
      pattern: 'burst',
      burstSize: 5,
      mode: 'addressed',
      payload: 'json',
    });
    assert.deepEqual(s.poll, { intervalMs: 500, timeoutMs: 2000 });
    assert.deepEqual(s.longPoll, { waitMs: 10_000, marginMs: 1000 });
    assert.deepEqual(s.sse, { keepAliveMs: 5000, idleFactor: 3 });
    assert.deepEqual(s.heartbeat, {
      form: 'text',
      pingText: 'hb',
      pongText: 'ok',
      intervalMs: 2000,
      timeoutMs: 1000,
      giveUp: 'close',
      closeTimeoutMs: 5000,
    });
    assert.deepEqual(s.backoff, { initialMs: 250, factor: 1.5, maxMs: 5000, jitter: 0.25 });
    assert.deepEqual(s.server, { serverPingIntervalMs: 4000, retentionCount: 500, retentionMs: 30_000 });
    assert.deepEqual(s.socketio, { pingIntervalMs: 3000, pingTimeoutMs: 1500, transport: 'polling' });
    assert.deepEqual(s.compression, { websocket: 'permessage-deflate', http: 'gzip' });
    assert.equal(s.headers, 'browser');
    assert.equal(s.browsers, 1);
    assert.deepEqual(s.saturation, { eventLoopP99Ms: 20 });
    assert.deepEqual(s.network, { latencyMs: 20, jitterMs: 5, rateKbps: 2000 });
    assert.deepEqual(s.faults, [
      {
        kind: 'latency',
        atMs: 10_000,
        forMs: 5000,
        clients: { percent: 25 },
        direction: 'down',
        params: { latencyMs: 200, jitterMs: 50 },
      },
      {
        kind: 'bandwidth',
        atMs: 20_000,
        forMs: 5000,
        clients: { count: 10 },
        direction: 'up',
        params: { rateKbps: 64 },
      },
      {
        kind: 'flap',
        atMs: 30_000,
        forMs: 10_000,
        clients: { percent: 50 },
        direction: 'both',
        params: { upMs: 2000, downMs: 1000 },
      },
      { kind: 'reset', atMs: 45_000, forMs: 0, clients: { percent: 100 }, direction: 'both', params: {} },
    ]);
    assert.deepEqual(s.slo, {
      latencyP50Ms: 100,
      latencyP99Ms: 500,
      latencyMaxMs: 2000,
      lost: 0,
      lostPct: 0.5,
      detectMsMax: 7000,
      recoverMsMax: 15_000,
      bytesPerMessageMax: 2000,
      failIfSaturated: true,
    });
  });

  test('fault parameters left out take their defaults', () => {
    const s = resolveScenario(
      {
        duration: '30s',
        faults: [
          { at: '1s', for: '5s', kind: 'flap' },
          { at: '1s', for: '1s', kind: 'latency', latency: '50ms' },
        ],
      },
      'inline',
    );
    assert.deepEqual(s.faults[0].params, { upMs: 2000, downMs: 1000 });
    assert.deepEqual(s.faults[1].params, { latencyMs: 50, jitterMs: 0 });
  });

  test('a clients map sets the protocols when they are not listed', () => {
    const s = resolveScenario({ clients: { sse: 10, 'short-poll': 20 } }, 'inline');
    assert.deepEqual(s.protocols, ['short-poll', 'sse']);
    assert.equal(clientsFor(s, 'short-poll'), 20);
    assert.equal(s.clients, 20);
  });

  test('network: {} puts the proxy in the path with no condition; null or absent means none', () => {
    assert.deepEqual(resolveScenario({ network: {} }, 'x').network, { latencyMs: 0, jitterMs: 0 });
    assert.equal(resolveScenario({ network: null }, 'x').network, null);
  });
});

describe('invalid files', () => {
  test('several problems are reported at once, each with its path, rule and line', async () => {
    const problems = await problemsOf(() => loadScenario(fixture('many-problems.yaml')));
    assert.deepEqual(problems, [
      'protocols[1]: expected one of short-poll, long-poll, sse, websocket, socket.io (got "webscoket") (line 3)',
      'source.rat: unknown key (allowed: rate, size, pattern, burst, mode, payload) (line 6)',
      'heartbeat.interval: expected a duration such as "5s" (3 has no unit: write "3s" or "3ms") (line 7)',
      'faults[0].for: expected a duration such as "5s" (line 9)',
      'faults[1].for: the fault ends at 50s, after the duration (45s) (line 10)',
      'faults[2].latency: not a parameter of flap (flap takes up, down) (line 11)',
      'slo.latencyP99: expected a duration such as "5s" (line 12)',
    ]);
  });

  test('an unknown key lists the allowed ones', async () => {
    const problems = await problemsOf(() => loadScenario(fixture('unknown-key.yaml')));
    assert.deepEqual(problems, [
      'source.rat: unknown key (allowed: rate, size, pattern, burst, mode, payload) (line 2)',
    ]);
  });

  test('a duration without its unit, or with a bad one, is refused', async () => {
    const problems = await problemsOf(() => loadScenario(fixture('bad-duration.yaml')));
    assert.deepEqual(problems, [
      'duration: expected a duration such as "5s" (60 has no unit: write "60s" or "60ms") (line 2)',
      'faults[0].for: expected a duration such as "5s" (line 4)',
    ]);
  });

  test('faults must fit within the duration', async () => {
    const problems = await problemsOf(() => loadScenario(fixture('fault-beyond.yaml')));
    assert.deepEqual(problems, [
      'faults[0].for: the fault ends at 35s, after the duration (30s) (line 4)',
      'faults[1].at: 31s is not within the duration (30s) (line 5)',
    ]);
  });

  test('a YAML syntax error gives its line and column', async () => {
    const problems = await problemsOf(() => loadScenario(fixture('syntax-error.yaml.txt')));
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^line 3, column 1: YAML syntax error: Flow sequence/);
  });

  test('duplicate keys are a syntax error', async () => {
    const problems = await problemsOf(() => parseScenario('clients: 1\nclients: 2\n', 'dup.yaml'));
    assert.match(problems[0], /^line 2, column 1: YAML syntax error: Map keys must be unique/);
  });

  test('an alias bomb is refused, not expanded', async () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh']) {
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const problems = await problemsOf(() => parseScenario(lines.join('\n'), 'bomb.yaml'));
    assert.deepEqual(problems, ['YAML: Excessive alias count indicates a resource exhaustion attack']);
  });

  test('an empty file and a non-mapping are refused', async () => {
    assert.deepEqual(await problemsOf(() => parseScenario('', 'empty.yaml')), ['(root): expected a mapping']);
    assert.deepEqual(await problemsOf(() => parseScenario('- a\n', 'list.yaml')), [
      '(root): expected a mapping (line 1)',
    ]);
  });

  test('a missing file is a bad scenario, not a crash', async () => {
    const problems = await problemsOf(() => loadScenario('/nonexistent/nothing.yaml'));
    assert.match(problems[0], /cannot read the file \(ENOENT\)/);
  });

  test('the CLI maps a bad scenario to exit code 2 and prints every problem', async (t) => {
    const lines: string[] = [];
    t.mock.method(console, 'error', (line: string) => lines.push(line));
    let code = 0;
    try {
      await loadScenario(fixture('many-problems.yaml'));
    } catch (err) {
      code = reportError(err);
    }
    assert.equal(code, 2);
    assert.match(lines[0], /PB_BAD_SCENARIO/);
    assert.equal(lines.length, 1 + 7);
  });
});

describe('semantic rules', () => {
  const problemsFor = (raw: unknown) => problemsOf(() => resolveScenario(raw, 'inline'));

  test('fault shares, kinds and parameters', async () => {
    const problems = await problemsFor({
      clients: 20,
      duration: '30s',
      faults: [
        { at: '1s', for: '1s', kind: 'blackhole', clients: '150%' },
        { at: '1s', for: '1s', kind: 'blackhole', clients: 21 },
        { at: '1s', for: '0s', kind: 'blackhole' },
        { at: '1s', for: '1s', kind: 'reset', direction: 'down' },
        { at: '1s', for: '1s', kind: 'latency' },
        { at: '1s', for: '1s', kind: 'latency', latency: '10ms', jitter: '20ms' },
        { at: '1s', for: '1s', kind: 'bandwidth', rate: 64 },
        { at: '1s', for: '1s', kind: 'teleport' },
      ],
    });
    assert.deepEqual(problems, [
      'faults[0].clients: must be at most 100%',
      'faults[1].clients: 21 is more than the clients of a run (20)',
      'faults[2].for: must be more than 0 for blackhole (0s is a single shot: reset and close only)',
      'faults[3].direction: reset acts on the whole connection: only both',
      'faults[4].latency: required for kind latency',
      'faults[5].jitter: 20ms is more than latency (10ms): delays would go negative',
      'faults[6].rate: expected a bandwidth such as "256kbps" (64 has no unit: write "64kbps")',
      'faults[7].kind: expected one of latency, bandwidth, blackhole, reset, close, flap (got "teleport")',
    ]);
  });

  test('settings that cannot work', async () => {
    const problems = await problemsFor({
      clients: 20_000,
      duration: '0s',
      longPoll: { wait: '90s' },
      backoff: { initial: '2s', max: '1s' },
      heartbeat: { interval: '0ms' },
      source: { burst: 3 },
      sse: { idleFactor: 1 },
    });
    assert.deepEqual(problems, [
      'clients: 20000 clients is more than 18000 per run (a process opens at most 20,000 files)',
      'duration: must be more than 0',
      'source.burst: only used with pattern: burst (pattern is constant)',
      "longPoll.wait: must be at most 60s (the server's cap)",
      'sse.idleFactor: must be more than 1',
      'heartbeat.interval: must be more than 0',
      'backoff.max: 1s is less than initial (2s)',
    ]);
  });

  test('the saturation threshold is a duration with its unit, more than 0', async () => {
    const at = (eventLoopP99: unknown) =>
      problemsOf(() => parseScenario(`name: x\nsaturation:\n  eventLoopP99: ${eventLoopP99}\n`, 'x.yaml'));
    assert.deepEqual(await at('0ms'), ['saturation.eventLoopP99: must be more than 0 (line 3)']);
    assert.deepEqual(await at('0'), ['saturation.eventLoopP99: must be more than 0 (line 3)']);
    assert.deepEqual(await at('50'), [
      'saturation.eventLoopP99: expected a duration such as "5s" (50 has no unit: write "50s" or "50ms") (line 3)',
    ]);
    assert.deepEqual(await at('-5ms'), [
      'saturation.eventLoopP99: expected a duration such as "5s" (line 3)',
    ]);
    assert.deepEqual(await at('fast'), [
      'saturation.eventLoopP99: expected a duration such as "5s" (line 3)',
    ]);
    assert.deepEqual(await problemsFor({ saturation: { p99: '5ms' } }), [
      'saturation.p99: unknown key (allowed: eventLoopP99)',
    ]);
    assert.deepEqual(resolveScenario({ saturation: { eventLoopP99: '500us' } }, 'x').saturation, {
      eventLoopP99Ms: 0.5,
    });
  });

  test('too few workers for the open-files budget', async () => {
    const problems = await problemsFor({ clients: 9000, workers: 1, network: { latency: '1ms' } });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /^workers: 1 generator\(s\) cannot hold 9000 clients .* use at least 2$/);
  });

  test('a clients map must match protocols', async () => {
    const problems = await problemsFor({
      protocols: ['sse', 'websocket'],
      clients: { sse: 5, 'long-poll': 5 },
    });
    assert.deepEqual(problems, [
      'clients.long-poll: long-poll is not in protocols (sse, websocket)',
      'clients.websocket: required: protocols lists websocket',
    ]);
  });

  test('one mistake is reported once', async () => {
    // a bad duration must not also make every fault "beyond the duration"
    const problems = await problemsFor({
      duration: 'long',
      faults: [{ at: '40s', for: '10s', kind: 'blackhole' }],
    });
    assert.deepEqual(problems, ['duration: expected a duration such as "5s"']);
  });
});

describe('file round trip', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pushbench-scenarios-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a written file loads; a name with odd characters gives a safe name', async () => {
    const file = join(dir, 'my case!.yaml');
    await writeFile(file, 'duration: 10s\nprotocols: [sse]\n');
    const s = await loadScenario(file);
    assert.equal(s.name, 'my-case-');
    assert.equal(s.durationMs, 10_000);
    assert.deepEqual(s.protocols, ['sse']);
  });
});
