/**
 * Artillery JSON → results.json, exactly: the fixtures are the real output of `pushbench run
 * --engine artillery` (20 clients, 5 s, 10 messages/s × 256 B; Artillery 2.0.21), and every
 * expected figure below was read off the fixture by hand, not computed by the converter.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { PushbenchError } from '../../core/errors.ts';
import { resultsProblems } from '../../core/results-schema.ts';
import type { RunResult } from '../../core/types.ts';
import { ARTILLERY_NOTES, convertArtillery } from '../../engines/artillery-convert.ts';
import { importArtillery } from '../../engines/artillery-import.ts';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixture = async (name: string) => JSON.parse(await readFile(new URL(name, FIXTURES), 'utf8'));
const ZERO_L = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
const SERVER_NOTE = 'server figures: 0 (Artillery does not see the server process)';

let dir = '';
after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

const WEBSOCKET: RunResult = {
  protocol: 'websocket',
  engine: 'artillery',
  clients: 20,
  durationMs: 1795726788852 - 1795726781841,
  latencyMs: { count: 1000, mean: 1.7, p50: 1.5, p90: 2.6, p99: 4.7, p999: 5, max: 5 },
  recoveredLatencyMs: ZERO_L,
  delivery: { expected: 1310, delivered: 1310, lost: 0, duplicates: 0, outOfOrder: 0 },
  bytes: {
    clientToServer: 7654,
    serverToClient: 402781,
    payload: 335360,
    overhead: 402781 + 7654 - 335360,
    perDeliveredMessage: 313.309, // 410435 / 1310
  },
  requests: { total: 0, empty: 0 },
  // Not measured by Artillery: null, never 0s.
  reconnects: { count: 0, detectMs: null, reconnectMs: null, recoverMs: null, zombieMs: null },
  server: { cpuPct: 0, rssMB: 0, eventLoopP99Ms: 0 },
  generator: { eventLoopP99Ms: null, saturated: false, cpuMsPerDeliveredMessage: null },
  faults: [],
  timeseries: [{ t: 0, connected: 0, delivered: 1310, p50: 1.5, p99: 4.7, bytesIn: 402781, bytesOut: 7654 }],
  pingRttMs: { count: 60, mean: 1, p50: 0.8, p90: 1.8, p99: 2.7, p999: 2.7, max: 2.7 },
  notes: [...ARTILLERY_NOTES, SERVER_NOTE],
};

const SHORT_POLL: RunResult = {
  ...WEBSOCKET,
  protocol: 'short-poll',
  durationMs: 5000,
  // Artillery's sketch puts p999 above the max it recorded: kept as given.
  latencyMs: { count: 1000, mean: 493.8, p50: 478.3, p90: 871.5, p99: 963.1, p999: 982.6, max: 977 },
  delivery: { expected: 1200, delivered: 1200, lost: 0, duplicates: 0, outOfOrder: 0 },
  bytes: {
    clientToServer: 25136,
    serverToClient: 392566,
    payload: 307200,
    overhead: 392566 + 25136 - 307200,
    perDeliveredMessage: 348.085, // 417702 / 1200
  },
  requests: { total: 140, empty: 20 },
  server: { cpuPct: 12.5, rssMB: 90, eventLoopP99Ms: 3 },
  timeseries: [
    { t: 0, connected: 20, delivered: 300, p50: 468.8, p99: 963.1, bytesIn: 100576, bytesOut: 8793 },
    { t: 10, connected: 0, delivered: 900, p50: 478.3, p99: 963.1, bytesIn: 291990, bytesOut: 16343 },
  ],
  notes: [
    ...ARTILLERY_NOTES,
    'a failed request ends an Artillery virtual user: polling clients do not reconnect after an error',
  ],
};
delete SHORT_POLL.pingRttMs;

test('websocket fixture → results.json run, field by field', async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-artillery-convert-'));
  const source = new URL('artillery-websocket.json', FIXTURES).pathname;
  const { file } = await importArtillery(source, { outDir: dir });
  const written = JSON.parse(await readFile(file, 'utf8'));
  assert.deepEqual(resultsProblems(written), []);
  assert.deepEqual(written.scenario, { name: 'artillery', engine: 'artillery', source });
  assert.equal(written.environment.startedAt, new Date(1795726781841).toISOString());
  assert.equal(written.runs.length, 1);
  const run = written.runs[0] as RunResult;
  for (const key of Object.keys(WEBSOCKET) as Array<keyof RunResult>)
    assert.deepEqual(run[key], WEBSOCKET[key], key);
  assert.deepEqual(run, WEBSOCKET);
});

test('short-poll fixture with the duration and server figures the runner knows', async () => {
  const server = { cpuPct: 12.5, rssMB: 90, eventLoopP99Ms: 3 };
  const [run] = convertArtillery(await fixture('artillery-short-poll.json'), { durationMs: 5000, server });
  for (const key of Object.keys(SHORT_POLL) as Array<keyof RunResult>)
    assert.deepEqual(run[key], SHORT_POLL[key], key);
  assert.deepEqual(run, SHORT_POLL);
});

test('reconnects, recovered latency and errors of both kinds are carried over', () => {
  const summary = (p50: number, p99: number, max: number) => ({
    min: 0,
    max,
    count: 4,
    mean: 2,
    p50,
    median: p50,
    p75: p50,
    p90: p99,
    p95: p99,
    p99,
    p999: max,
  });
  const [run] = convertArtillery({
    aggregate: {
      counters: {
        'pushbench.sse.clients': 2,
        'pushbench.sse.delivered': 8,
        'pushbench.sse.expected': 10,
        'pushbench.sse.reconnects': 3,
        'pushbench.sse.errors.idle_timeout': 3,
        'errors.ECONNRESET': 1,
        'vusers.failed': 1,
      },
      summaries: {
        'pushbench.sse.reconnect_ms': summary(600, 1200, 1300),
        'pushbench.sse.recovered_latency_ms': summary(900, 2000, 2100),
      },
    },
    intermediate: [],
  });
  assert.equal(run.protocol, 'sse');
  assert.deepEqual(run.delivery, { expected: 10, delivered: 8, lost: 2, duplicates: 0, outOfOrder: 0 });
  assert.deepEqual(run.reconnects.reconnectMs, { p50: 600, p99: 1200, max: 1300 });
  assert.equal(run.reconnects.count, 3);
  assert.deepEqual(run.recoveredLatencyMs, {
    count: 4,
    mean: 2,
    p50: 900,
    p90: 2000,
    p99: 2000,
    p999: 2100,
    max: 2100,
  });
  assert.deepEqual(run.errors, { idle_timeout: 3, ECONNRESET: 1, vusers_failed: 1 });
  assert.ok(run.notes?.includes('1 virtual users failed (see errors)'));
  assert.ok(run.notes?.some((n) => n.includes('no SSE engine')));
});

test('input that is not a pushbench Artillery report is refused with PB_BAD_OPTION', async () => {
  const bad = (data: unknown, words: RegExp) =>
    assert.throws(
      () => convertArtillery(data, {}, 'x.json'),
      (e: unknown) => e instanceof PushbenchError && e.code === 'PB_BAD_OPTION' && words.test(e.message),
    );
  bad({ hello: 1 }, /not an Artillery JSON report/);
  bad({ aggregate: { counters: { 'http.requests': 3 } } }, /no pushbench/);
  await assert.rejects(
    importArtillery('/nonexistent/out.json'),
    (e: unknown) => e instanceof PushbenchError && /cannot read/.test(e.message),
  );
});
