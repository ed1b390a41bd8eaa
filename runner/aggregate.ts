/**
 * One protocol run's RunResult (results.json) from what the processes measured:
 * the generators' merged report, the server's stats samples, the fault windows and
 * the source's expected counts. Definitions: README.md "What a run measures".
 */
import type { MergedReport, ReconnectEvent } from '../clients/report-types.ts';
import type { FaultRecord, ProtocolName, RunResult, TimeseriesPoint } from '../core/types.ts';
import { round3, summarizeTimings } from './results-io.ts';

/** What the runner sampled from the server process (GET /stats shape, trimmed). */
export interface ServerSample {
  atMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  rssMB: number;
  eventLoopP99Ms: number;
  connections: number;
}

/** A fault as applied: absolute window and the affected client ids. */
export interface AppliedFaultWindow {
  kind: string;
  startMs: number;
  endMs: number;
  clientIds: Set<string>;
  /** Highest seq published when the fault ended (recovery target). */
  seqAtEnd?: number;
}

export interface AggregateInput {
  protocol: ProtocolName;
  engine?: string;
  clients: number;
  durationMs: number;
  /** Epoch ms when measurement starts (after ramp-up and warm-up); timeseries and faults are relative to it. */
  measureStartMs: number;
  merged: MergedReport;
  /** Messages each client should have received (same order as merged.clients). */
  expectedByClient: number[];
  samples: ServerSample[];
  /** RSS before any client connected (MB). */
  baselineRssMB: number;
  faults: AppliedFaultWindow[];
  zombieEvents: Array<{ client: string; atMs: number }>;
  saturationMs: number;
}

/** Build the RunResult of one protocol run. */
export function aggregateRun(input: AggregateInput): RunResult {
  const { merged } = input;
  const t = merged.totals;
  const expected = input.expectedByClient.reduce((a, b) => a + b, 0);
  const lost = Math.max(0, expected - t.delivered);
  const bytesTotal = t.bytesIn + t.bytesOut;
  const { cpuMs, ...server } = serverFigures(input);
  return {
    protocol: input.protocol,
    engine: input.engine ?? 'pushbench',
    clients: input.clients,
    durationMs: input.durationMs,
    latencyMs: merged.latencyMs,
    recoveredLatencyMs: merged.recoveredLatencyMs,
    delivery: { expected, delivered: t.delivered, lost, duplicates: t.duplicates, outOfOrder: t.outOfOrder },
    bytes: {
      clientToServer: t.bytesOut,
      serverToClient: t.bytesIn,
      payload: t.payloadBytes,
      overhead: Math.max(0, bytesTotal - t.payloadBytes),
      perDeliveredMessage: t.delivered ? round3(bytesTotal / t.delivered) : 0,
    },
    requests: { total: t.requests, empty: t.emptyResponses },
    reconnects: reconnectFigures(merged.reconnects, input.faults, input.zombieEvents),
    server: {
      ...server,
      // µs-scale figures: keep ns resolution (round3 would leave two significant digits).
      cpuMsPerDeliveredMessage: Math.round(cpuPerDelivered(input, cpuMs, t.delivered) * 1e6) / 1e6,
    },
    generator: {
      eventLoopP99Ms: round3(merged.eventLoop.p99Ms),
      saturated: merged.eventLoop.p99Ms > input.saturationMs,
    },
    faults: input.faults.map(
      (f): FaultRecord => ({
        kind: f.kind,
        atMs: Math.round(f.startMs - input.measureStartMs),
        forMs: Math.round(f.endMs - f.startMs),
        clients: f.clientIds.size,
      }),
    ),
    timeseries: timeseries(input),
    pingRttMs: merged.pingRttMs.count ? merged.pingRttMs : undefined,
    errors: Object.keys(merged.errors).length ? merged.errors : undefined,
  };
}

function serverFigures(input: AggregateInput): {
  cpuPct: number;
  rssMB: number;
  eventLoopP99Ms: number;
  cpuMs: number;
  memoryKBPerConnection: number;
} {
  const s = input.samples;
  if (s.length < 2) return { cpuPct: 0, rssMB: 0, eventLoopP99Ms: 0, cpuMs: 0, memoryKBPerConnection: 0 };
  const first = s[0];
  const last = s[s.length - 1];
  const cpuMs = last.cpuUserMs + last.cpuSystemMs - (first.cpuUserMs + first.cpuSystemMs);
  const wallMs = Math.max(1, last.atMs - first.atMs);
  const peak = s.reduce((a, b) => (b.connections > a.connections ? b : a), first);
  const perConn = peak.connections ? ((peak.rssMB - input.baselineRssMB) * 1024) / peak.connections : 0;
  return {
    cpuPct: round3((cpuMs / wallMs) * 100),
    rssMB: round3(Math.max(...s.map((x) => x.rssMB))),
    eventLoopP99Ms: round3(Math.max(...s.map((x) => x.eventLoopP99Ms))),
    cpuMs: round3(cpuMs),
    memoryKBPerConnection: round3(Math.max(0, perConn)),
  };
}

/**
 * Server CPU ms per delivered message in the steady state: CPU between the first and the
 * last server sample inside the measured window, over the messages delivered between those
 * two instants (from the 1 s time series, pro rata). Connection set-up in the ramp-up and
 * tear-down after it are not messages' cost. Falls back to the whole run (CPU from the
 * baseline to the final sample over every delivery) when the window holds fewer than two
 * samples or no delivery.
 */
function cpuPerDelivered(input: AggregateInput, wholeRunCpuMs: number, delivered: number): number {
  const startMs = input.measureStartMs;
  const endMs = startMs + input.durationMs;
  const inside = input.samples.filter((x) => x.atMs >= startMs && x.atMs <= endMs);
  if (inside.length >= 2) {
    const a = inside[0];
    const b = inside[inside.length - 1];
    const cpuMs = b.cpuUserMs + b.cpuSystemMs - (a.cpuUserMs + a.cpuSystemMs);
    const between = deliveredBetween(input.merged.timeseries, a.atMs, b.atMs);
    if (between > 0 && cpuMs >= 0) return cpuMs / between;
  }
  return delivered ? wholeRunCpuMs / delivered : 0;
}

/** Deliveries in [fromMs, toMs] from 1 s buckets (a bucket counted for its overlapping share). */
function deliveredBetween(buckets: MergedReport['timeseries'], fromMs: number, toMs: number): number {
  let n = 0;
  for (const b of buckets) {
    const overlapMs = Math.min(toMs, b.atMs + 1000) - Math.max(fromMs, b.atMs);
    if (overlapMs > 0) n += (b.delivered * overlapMs) / 1000;
  }
  return n;
}

/**
 * detectMs: fault start → dead; reconnectMs: dead → open; recoverMs: fault end → caught up;
 * zombieMs: fault start → server reaped. Events outside any fault (e.g. a server restart) count
 * in `count` and reconnectMs only.
 */
function reconnectFigures(
  events: ReconnectEvent[],
  faults: AppliedFaultWindow[],
  zombies: Array<{ client: string; atMs: number }>,
): RunResult['reconnects'] {
  const detect: number[] = [];
  const reconnect: number[] = [];
  const recover: number[] = [];
  const zombie: number[] = [];
  for (const e of events) {
    if (e.openAtMs !== undefined) reconnect.push(e.openAtMs - e.deadAtMs);
    const f = faultFor(faults, e.client, e.deadAtMs);
    if (!f) continue;
    detect.push(Math.max(0, e.deadAtMs - f.startMs));
    if (e.caughtUpAtMs !== undefined) recover.push(Math.max(0, e.caughtUpAtMs - f.endMs));
  }
  for (const z of zombies) {
    const f = faultFor(faults, z.client, z.atMs);
    if (f) zombie.push(Math.max(0, z.atMs - f.startMs));
  }
  return {
    count: events.filter((e) => e.openAtMs !== undefined).length,
    detectMs: summarizeTimings(detect),
    reconnectMs: summarizeTimings(reconnect),
    recoverMs: summarizeTimings(recover),
    zombieMs: summarizeTimings(zombie),
  };
}

/** Slack after a fault's end in which a detection still belongs to it (ms). */
const FAULT_TAIL_MS = 60_000;

/** The latest fault affecting `client` that started at or before `atMs` (within its tail). */
function faultFor(
  faults: AppliedFaultWindow[],
  client: string,
  atMs: number,
): AppliedFaultWindow | undefined {
  let found: AppliedFaultWindow | undefined;
  for (const f of faults) {
    if (!f.clientIds.has(client) || atMs < f.startMs || atMs > f.endMs + FAULT_TAIL_MS) continue;
    if (!found || f.startMs > found.startMs) found = f;
  }
  return found;
}

function timeseries(input: AggregateInput): TimeseriesPoint[] {
  return input.merged.timeseries.map((b) => {
    const point: TimeseriesPoint = {
      t: round3((b.atMs - input.measureStartMs) / 1000),
      connected: b.connected,
      delivered: b.delivered,
      p50: b.p50,
      p99: b.p99,
      bytesIn: b.bytesIn,
      bytesOut: b.bytesOut,
    };
    const cpu = cpuInBucket(input.samples, b.atMs);
    if (cpu) Object.assign(point, cpu);
    return point;
  });
}

/** Server CPU % and RSS over the bucket [atMs, atMs + 1 s) from the two samples around it. */
function cpuInBucket(
  samples: ServerSample[],
  atMs: number,
): { serverCpuPct: number; serverRssMB: number } | null {
  const i = samples.findIndex((s) => s.atMs >= atMs + 1000);
  if (i <= 0) return null;
  const a = samples[i - 1];
  const b = samples[i];
  const ms = b.atMs - a.atMs;
  if (ms <= 0) return null;
  const cpu = b.cpuUserMs + b.cpuSystemMs - (a.cpuUserMs + a.cpuSystemMs);
  return { serverCpuPct: round3((cpu / ms) * 100), serverRssMB: round3(b.rssMB) };
}
