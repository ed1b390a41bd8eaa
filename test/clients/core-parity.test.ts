/**
 * One delivery core (docs/clients.md): the same seq sequences — in order, repeats, out of order,
 * below the subscribe point, a gap announced by a reopen, a reconnect with recovered and steady
 * messages, a source restart — fed to every consumer of the core through its own wiring give
 * identical outcomes: the Node client (clients/client.ts BaseClient), the browser page's client
 * (page/client.js with the core.js bundle the server hosts, evaluated in a vm) and the Artillery
 * processor as exported (the esbuild bundle, driven through its WebSocket functions).
 * Outcome: each message's verdict (steady / recovered / duplicate / rejected), the counters, the
 * payload bytes and the resume point each lost connection leaves.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import vm from 'node:vm';
import { benchPageDir, PAGE_CORE_FILE, pageCoreSource } from '../../clients/browser/page-dir.ts';
import { bundleText } from '../../clients/bundle.ts';
import { BaseClient, clientConfig } from '../../clients/client.ts';
import { Recorder } from '../../clients/metrics.ts';
import type { Envelope, ResumeInfo } from '../../core/types.ts';
import { artilleryScript, type ProcessorSettings, processorSource } from '../../engines/artillery-export.ts';
import { resolveScenario } from '../../scenarios/load.ts';

type Step =
  | { hello: Partial<ResumeInfo> & { lastSeq: number } }
  | { msg: number; to?: string }
  | { lose: true }
  | { bad: true };

/** Steps of one sequence; envelopes carry a t from before the test (older than any loss). */
const SEQUENCES: Record<string, Step[]> = {
  'in order': [{ hello: { lastSeq: 10 } }, { msg: 11 }, { msg: 12 }, { msg: 13 }],
  repeats: [{ hello: { lastSeq: 10 } }, { msg: 11 }, { msg: 12 }, { msg: 12 }, { msg: 11 }, { msg: 13 }],
  'out of order': [
    { hello: { lastSeq: 10 } },
    { msg: 11 },
    { msg: 14 },
    { msg: 12 },
    { msg: 13 },
    { msg: 13 },
  ],
  'at or below the subscribe point': [{ hello: { lastSeq: 10 } }, { msg: 10 }, { msg: 7 }, { msg: 11 }],
  'malformed and misaddressed': [
    { hello: { lastSeq: 0 } },
    { bad: true },
    { msg: 1, to: 'someone-else' },
    { msg: 2 },
  ],
  'reconnect: backlog recovered, live steady': [
    { hello: { lastSeq: 10 } },
    { msg: 11 },
    { msg: 12 },
    { lose: true },
    { hello: { lastSeq: 15 } },
    { msg: 13 },
    { msg: 14 },
    { msg: 15 },
    { msg: 16 },
    { msg: 17 },
    { msg: 14 },
  ],
  'reconnect with a gap': [
    { hello: { lastSeq: 10 } },
    { msg: 11 },
    { lose: true },
    { hello: { lastSeq: 20, gap: { from: 12, to: 16 } } },
    { msg: 17 },
    { msg: 14 },
    { msg: 20 },
    { msg: 18 },
    { msg: 19 },
    { msg: 21 },
    { lose: true },
    { hello: { lastSeq: 21 } },
    { msg: 22 },
  ],
  'out of order across a reconnect': [
    { hello: { lastSeq: 10 } },
    { msg: 11 },
    { msg: 13 },
    { lose: true },
    { hello: { lastSeq: 14 } },
    { msg: 12 },
    { msg: 14 },
    { msg: 15 },
  ],
  'source restart': [
    { hello: { lastSeq: 100 } },
    { msg: 101 },
    { lose: true },
    { hello: { lastSeq: 5 } },
    { msg: 5 },
    { msg: 6 },
    { msg: 101 },
  ],
};

interface Outcome {
  verdicts: string[];
  delivered: number;
  recovered: number;
  duplicates: number;
  outOfOrder: number;
  payloadBytes: number;
  /** The `since` each lost connection resumes from. */
  resumePoints: number[];
}

/** A payload with 1-, 2-, 3- and 4-byte UTF-8 characters (byte length is the platform's). */
const DATA = 'héllo ✓ 😀';
const T0 = Date.now() - 60_000;
const envelopeOf = (step: { msg: number; to?: string }): Envelope => ({
  seq: step.msg,
  t: T0,
  data: DATA,
  ...(step.to ? { to: step.to } : {}),
});
const BAD = { seq: 'x', t: T0, data: DATA } as unknown as Envelope;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FAST_BACKOFF = { initialMs: 1, factor: 1, maxMs: 1, jitter: 0 };

/** The counters a consumer exposes, for the verdict of one step (by their deltas). */
interface Counters {
  delivered: number;
  recovered: number;
  duplicates: number;
  outOfOrder: number;
  payloadBytes: number;
}
function verdictOf(before: Counters, now: Counters): string {
  if (now.duplicates > before.duplicates) return 'duplicate';
  if (now.recovered > before.recovered) return 'recovered';
  if (now.delivered > before.delivered) return 'steady';
  return 'rejected';
}

/** A consumer: how to feed it the steps and read its counters. */
interface Consumer {
  hello(info: ResumeInfo): void;
  envelope(env: Envelope): void;
  /** Lose the connection; resolves with the resume point once the replacement is connecting. */
  lose(): Promise<number>;
  counters(): Counters;
  close(): Promise<void> | void;
}

async function run(consumer: Consumer, steps: Step[]): Promise<Outcome> {
  const verdicts: string[] = [];
  const resumePoints: number[] = [];
  try {
    for (const step of steps) {
      if ('hello' in step) consumer.hello({ oldestSeq: 1, ...step.hello });
      else if ('lose' in step) resumePoints.push(await consumer.lose());
      else {
        const before = consumer.counters();
        consumer.envelope('bad' in step ? BAD : envelopeOf(step));
        verdicts.push(verdictOf(before, consumer.counters()));
      }
    }
    return { verdicts, ...consumer.counters(), resumePoints };
  } finally {
    await consumer.close();
  }
}

// ---------------------------------------------------------------- the Node client

class NodeProbe extends BaseClient {
  protected connect(): void {}
  protected teardown(): void {}
  hello(info: ResumeInfo): void {
    this.opened(info, Date.now());
  }
  envelope(env: Envelope): void {
    this.deliver(env, Date.now());
  }
  lose(): void {
    this.failed('closed', Date.now());
  }
  resumePoint(): number | undefined {
    return this.resumeSeq();
  }
  counters(): Counters {
    const { delivered, recovered, duplicates, outOfOrder, payloadBytes } = this.stats;
    return { delivered, recovered, duplicates, outOfOrder, payloadBytes };
  }
}

function nodeConsumer(): Consumer {
  const recorder = new Recorder({ protocol: 'websocket' });
  const c = new NodeProbe(
    clientConfig(
      { id: 'c1', protocol: 'websocket', baseUrl: 'http://127.0.0.1:1' },
      { backoff: FAST_BACKOFF },
    ),
    recorder,
  );
  c.start();
  return {
    hello: (info) => c.hello(info),
    envelope: (env) => c.envelope(env),
    async lose() {
      c.lose();
      await waitFor(() => c.state === 'connecting');
      return c.resumePoint()!;
    },
    counters: () => c.counters(),
    async close() {
      await c.stop();
      recorder.close();
    },
  };
}

// ---------------------------------------------------------------- the browser page's client

/** page/client.js with the core.js the server hosts, bundled for a vm (no DOM: timers and performance only). */
let pageProbe: new (
  config: unknown,
) => {
  state: string;
  stats: Counters;
  start(): void;
  stop(): unknown;
  opened(info: unknown, atMs: number): void;
  deliver(env: unknown, atMs: number): void;
  failed(reason: string, atMs: number): void;
  resumeSeq(): number | undefined;
};

function loadPage(): void {
  const pageDir = benchPageDir();
  const code = bundleText({ entry: path.join(pageDir, 'client.js'), format: 'esm', platform: 'browser' })
    .replace(/^export \{[^}]*\};?\s*$/m, '')
    .concat('\nclass Probe extends BaseClient { connect() {} teardown() {} }\nProbe;\n');
  const context = vm.createContext({
    performance,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    console,
    window: {},
  });
  pageProbe = vm.runInContext(code, context);
}

function pageConsumer(): Consumer {
  const settings = clientConfig({ id: 'c1', protocol: 'websocket', baseUrl: '' }, { backoff: FAST_BACKOFF });
  const c = new pageProbe(settings);
  c.start();
  return {
    hello: (info) => c.opened(info, Date.now()),
    envelope: (env) => c.deliver(env, Date.now()),
    async lose() {
      c.failed('closed', Date.now());
      await waitFor(() => c.state === 'connecting');
      return c.resumeSeq()!;
    },
    counters: () => {
      const { delivered, recovered, duplicates, outOfOrder, payloadBytes } = c.stats;
      return { delivered, recovered, duplicates, outOfOrder, payloadBytes };
    },
    close: () => {
      c.stop();
    },
  };
}

// ---------------------------------------------------------------- the Artillery processor

type Fn = (...args: unknown[]) => void;
let processor: Record<string, Fn>;
let dir = '';

/** A ws socket as the processor sees it (the engine's WebSocket class). */
class FakeWs extends EventEmitter {
  static made: FakeWs[] = [];
  readyState = 1;
  readonly url: string;
  constructor(url: string) {
    super();
    this.url = url;
    FakeWs.made.push(this);
  }
  send(): void {}
  terminate(): void {
    this.emit('close');
  }
  close(): void {
    this.emit('close');
  }
}

function processorConsumer(): Consumer {
  const scenario = resolveScenario(
    { name: 'parity', protocols: ['websocket'], clients: 1, duration: '60s', source: { rate: '1/s' } },
    'parity',
  );
  const { pushbench } = artilleryScript(scenario, 'websocket', 'http://127.0.0.1:1').config.variables as {
    pushbench: ProcessorSettings;
  };
  const counters: Record<string, number> = {};
  const histograms: Record<string, number> = {};
  const events = new EventEmitter();
  events.on('counter', (name: string, n: number) => {
    counters[name] = (counters[name] ?? 0) + n;
  });
  events.on('histogram', (name: string) => {
    histograms[name] = (histograms[name] ?? 0) + 1;
  });
  const settings = { ...pushbench, rampMs: 0, warmUpMs: 0, durationMs: 60_000, backoff: FAST_BACKOFF };
  const context: Record<string, unknown> = { vars: { pushbench: settings, target: 'http://127.0.0.1:1' } };
  const wsArgs: Record<string, unknown> = {};
  processor.pbWsConnect(wsArgs, context, () => undefined);
  let ws = new FakeWs(String(wsArgs.target));
  context.ws = ws;
  processor.pbWsAttach(context, events, () => undefined);
  const c = (k: string) => counters[`pushbench.websocket.${k}`] ?? 0;
  const frame = (msg: unknown) => ws.emit('message', Buffer.from(JSON.stringify(msg)));
  return {
    hello: (info) => frame({ type: 'hello', ...info }),
    envelope: (env) => frame(env),
    async lose() {
      const made = FakeWs.made.length;
      ws.emit('close');
      await waitFor(() => FakeWs.made.length > made);
      ws = FakeWs.made[FakeWs.made.length - 1];
      ws.emit('open');
      return Number(new URL(ws.url).searchParams.get('since'));
    },
    counters: () => ({
      delivered: c('delivered'),
      recovered: histograms['pushbench.websocket.recovered_latency_ms'] ?? 0,
      duplicates: c('duplicates'),
      outOfOrder: c('out_of_order'),
      payloadBytes: c('payload_bytes'),
    }),
    close: () => new Promise<void>((r) => processor.pbEnd(context, events, r)),
  };
}

async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the reconnect');
    await sleep(2);
  }
}

before(async () => {
  loadPage();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-core-parity-'));
  const file = path.join(dir, 'pushbench-processor.cjs');
  await writeFile(file, processorSource());
  processor = createRequire(import.meta.url)(file) as Record<string, Fn>;
});
after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe('one delivery core: every consumer, the same outcome', () => {
  for (const [name, steps] of Object.entries(SEQUENCES)) {
    test(name, async () => {
      const node = await run(nodeConsumer(), steps);
      const page = await run(pageConsumer(), steps);
      const artillery = await run(processorConsumer(), steps);
      assert.deepEqual(page, node, 'browser page = Node client');
      assert.deepEqual(artillery, node, 'Artillery processor = Node client');
    });
  }

  test('the Node outcomes are the documented rules (a few spelled out)', async () => {
    const reconnect = await run(nodeConsumer(), SEQUENCES['reconnect: backlog recovered, live steady']);
    assert.deepEqual(reconnect.verdicts, [
      'steady',
      'steady',
      'recovered',
      'recovered',
      'recovered',
      'steady',
      'steady',
      'duplicate',
    ]);
    assert.deepEqual(reconnect.resumePoints, [12]);
    assert.equal(reconnect.payloadBytes, 7 * Buffer.byteLength(DATA));
    const gap = await run(nodeConsumer(), SEQUENCES['reconnect with a gap']);
    assert.deepEqual(gap.resumePoints, [11, 21], 'the gap settles 12..16; 17..21 arrive');
    const below = await run(nodeConsumer(), SEQUENCES['at or below the subscribe point']);
    assert.deepEqual(below.verdicts, ['duplicate', 'duplicate', 'steady']);
  });

  test("the page's core.js is the bundle of clients/core/ (no hand-kept copy)", async () => {
    const served = await readFile(path.join(benchPageDir(), PAGE_CORE_FILE), 'utf8');
    assert.equal(served, pageCoreSource());
    assert.match(served, /var DeliveryCore = class/);
  });
});
