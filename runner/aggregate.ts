/**
 * One protocol run's RunResult (results.json) from what the processes measured:
 * the generators' merged report, the server's stats samples, the fault windows and
 * the source's expected counts. Definitions: README.md "What a run measures".
 */
import type { MergedReport, ReconnectEvent } from '../clients/report-types.ts';
import { RUN_DEFAULTS } from '../core/defaults.ts';
import type { FaultRecord, ProtocolName, RunResult, SourceFigures, TimeseriesPoint } from '../core/types.ts';
import type { CpuReading } from './proc-cpu.ts';
import { round3, summarizeSamples } from './results-io.ts';
import { cpuMsBetween, cpuPctBetween, type ServerSample, serverFigures } from './server-figures.ts';

/** A fault as applied: absolute window and the affected client ids. */
export interface AppliedFaultWindow {
  kind: string;
  startMs: number;
  endMs: number;
  clientIds: Set<string>;
  /** Highest seq published when the fault ended (recovery target). */
  seqAtEnd?: number;
  /** Per client: when its generator's proxy really applied / removed the fault (epoch ms). */
  applied?: Map<string, { appliedAtMs: number; removedAtMs?: number }>;
  /** flap only: its phases (down first, from the applied time). */
  flap?: { upMs: number; downMs: number };
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
  zombieEvents: Array<{ client: string; atMs: number; lastSeenMs?: number }>;
  /** Event-loop delay p99 over which the server or the generator is saturated (scenario `saturation`). */
  saturationMs: number;
  /** Clients still below the last message meant for them when the drain's limit passed. */
  behindAtEnd?: string[];
  /** The generator processes' summed CPU, read about every second (absent: not measured). */
  generatorCpu?: CpuReading[];
  /** How the server's source kept its schedule (IPC source-stop). */
  source?: SourceFigures;
}

/** Build the RunResult of one protocol run. */
export function aggregateRun(input: AggregateInput): RunResult {
  const { merged } = input;
  const t = merged.totals;
  const expected = input.expectedByClient.reduce((a, b) => a + b, 0);
  const lost = Math.max(0, expected - t.delivered);
  const bytesTotal = t.bytesIn + t.bytesOut;
  const endMs = input.measureStartMs + input.durationMs;
  const serverCost = serverFigures(input.samples, input.measureStartMs, endMs);
  return {
    protocol: input.protocol,
    engine: input.engine ?? 'pushbench',
    clients: input.clients,
    durationMs: input.durationMs,
    latencyMs: merged.latencyMs,
    recoveredLatencyMs: merged.recoveredLatencyMs,
    delivery: {
      expected,
      delivered: t.delivered,
      lost,
      duplicates: t.duplicates,
      outOfOrder: t.outOfOrder,
      behindAtEnd: input.behindAtEnd ?? [],
    },
    bytes: {
      clientToServer: t.bytesOut,
      serverToClient: t.bytesIn,
      payload: t.payloadBytes,
      overhead: Math.max(0, bytesTotal - t.payloadBytes),
      perDeliveredMessage: t.delivered ? round3(bytesTotal / t.delivered) : 0,
    },
    requests: {
      total: t.requests,
      empty: t.emptyResponses,
      // Requests sent inside the measured window over its length (ramp, warm-up, drain out).
      perSecond: input.durationMs > 0 ? round3((t.requestsMeasured * 1000) / input.durationMs) : 0,
    },
    reconnects: reconnectFigures(input.protocol, merged.reconnects, input.faults, input.zombieEvents),
    counters: {
      negativeLatencies: t.negativeLatencies,
      connectionsLost: t.connectionsLost,
      neverReopened: Math.max(0, t.connectionsLost - t.reconnects),
      gapsLost: t.gapsLost,
      warmUpSkipped: t.warmUpSkipped,
    },
    server: {
      ...serverCost,
      // The same threshold as the generator's: a server this late answers late for every protocol.
      saturated: serverCost.eventLoopP99Ms > input.saturationMs,
      // µs-scale figures: keep ns resolution (round3 would leave two significant digits).
      cpuMsPerDeliveredMessage: Math.round(cpuPerDelivered(input, t.delivered) * 1e6) / 1e6,
      memoryKBPerConnection: memoryPerConnection(input),
    },
    generator: {
      eventLoopP99Ms: round3(merged.eventLoop.p99Ms),
      saturated: merged.eventLoop.p99Ms > input.saturationMs,
      cpuMsPerDeliveredMessage: generatorCpuPerDelivered(input),
    },
    saturationThresholdMs: input.saturationMs,
    ...(input.source ? { source: input.source } : {}),
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
    ...(merged.errorSamples ? { errorSamples: merged.errorSamples } : {}),
    ...behindNote(input.behindAtEnd ?? []),
  };
}

/** The report's line for clients still behind at the drain's limit (at most 10 named). */
function behindNote(behind: string[]): { notes?: string[] } {
  if (behind.length === 0) return {};
  const named =
    behind.slice(0, 10).join(', ') + (behind.length > 10 ? `, … (${behind.length - 10} more)` : '');
  return {
    notes: [
      `${behind.length} client(s) still behind the last message when the drain's limit passed, counted lost: ${named}`,
    ],
  };
}

/**
 * Server RSS growth per open connection at the peak: RSS growth over a few hundred connections
 * is GC and allocator noise (docs/perf.md "Cost figures in results.json"), so null below
 * RUN_DEFAULTS.memoryMinConnections or when RSS did not grow.
 */
function memoryPerConnection(input: AggregateInput): number | null {
  const s = input.samples;
  if (s.length < 2) return null;
  const peak = s.reduce((a, b) => (b.connections > a.connections ? b : a), s[0]);
  const growthKB = (peak.rssMB - input.baselineRssMB) * 1024;
  return peak.connections >= RUN_DEFAULTS.memoryMinConnections && growthKB > 0
    ? round3(growthKB / peak.connections)
    : null;
}

/**
 * Server CPU ms per delivered message in the steady state: CPU between the first and the
 * last server sample inside the measured window, over the messages delivered between those
 * two instants (from the 1 s time series, pro rata). Connection set-up in the ramp-up and
 * tear-down after it are not messages' cost. Falls back to the whole run (CPU from the
 * baseline to the final sample over every delivery) when the window holds fewer than two
 * samples or no delivery.
 */
function cpuPerDelivered(input: AggregateInput, delivered: number): number {
  const startMs = input.measureStartMs;
  const endMs = startMs + input.durationMs;
  const inside = input.samples.filter((x) => x.atMs >= startMs && x.atMs <= endMs);
  if (inside.length >= 2) {
    const a = inside[0];
    const b = inside[inside.length - 1];
    const cpuMs = cpuMsBetween(a, b);
    const between = deliveredBetween(input.merged.timeseries, a.atMs, b.atMs);
    if (between > 0 && cpuMs >= 0) return cpuMs / between;
  }
  const s = input.samples;
  const wholeRunCpuMs = s.length >= 2 ? cpuMsBetween(s[0], s[s.length - 1]) : 0;
  return delivered ? wholeRunCpuMs / delivered : 0;
}

/**
 * The generator processes' CPU ms per delivered message: their CPU between the first and the
 * last reading inside the measured window over the messages delivered between those two
 * instants (as the server's). Null when fewer than two readings fall inside or nothing was
 * delivered: not measured, never a fallback to the whole run (connecting costs far more).
 */
const READING_SLACK_MS = 250;

function generatorCpuPerDelivered(input: AggregateInput): number | null {
  const startMs = input.measureStartMs;
  // A reading taken just after the window's end (timers fire late) still belongs to it.
  const inside = (input.generatorCpu ?? []).filter(
    (x) => x.atMs >= startMs && x.atMs <= startMs + input.durationMs + READING_SLACK_MS,
  );
  if (inside.length < 2) return null;
  const a = inside[0];
  const b = inside[inside.length - 1];
  const between = deliveredBetween(input.merged.timeseries, a.atMs, b.atMs);
  const cpuMs = b.cpuMs - a.cpuMs;
  return between > 0 && cpuMs >= 0 ? Math.round((cpuMs / between) * 1e6) / 1e6 : null;
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
 * Counts (affected / detected / reconnected / caughtUp clients) and timings. detectMs: the
 * fault's real start for that connection → dead; reconnectMs: dead → open; recoverMs: the
 * fault's removal → caught up (negative: caught up before the removal, kept as measured);
 * zombieMs: the fault's start → the server freed the dead connection. A timing with no
 * sample is null. Events outside any fault (a server restart) count in `count` and
 * reconnectMs only. docs/report.md "Reconnects".
 */
function reconnectFigures(
  protocol: ProtocolName,
  events: ReconnectEvent[],
  faults: AppliedFaultWindow[],
  zombies: Array<{ client: string; atMs: number; lastSeenMs?: number }>,
): RunResult['reconnects'] {
  const detect: number[] = [];
  const reconnect: number[] = [];
  const recover: number[] = [];
  const zombie: number[] = [];
  const affected = new Set<string>();
  for (const f of faults) for (const id of f.clientIds) affected.add(id);
  const detected = new Set<string>();
  const notReconnected = new Set<string>();
  const notCaughtUp = new Set<string>();
  let deadConnections = 0;
  for (const e of events) {
    if (e.openAtMs !== undefined) reconnect.push(e.openAtMs - e.deadAtMs);
    const a = attribute(faults, e.client, e.lastGoodAtMs, e.deadAtMs);
    if (!a) continue;
    deadConnections++;
    detected.add(e.client);
    detect.push(e.deadAtMs - a.startMs);
    if (e.openAtMs === undefined) notReconnected.add(e.client);
    if (e.caughtUpAtMs === undefined) notCaughtUp.add(e.client);
    else recover.push(e.caughtUpAtMs - a.endMs);
  }
  let freed = 0;
  for (const z of zombies) {
    const a = attribute(faults, z.client, z.lastSeenMs ?? z.atMs, z.atMs);
    if (!a) continue;
    freed++;
    zombie.push(z.atMs - a.startMs);
  }
  const count = (ids: Set<string>, minus: Set<string>) => [...ids].filter((id) => !minus.has(id)).length;
  // Short polling holds no connection between polls: nothing for the server to free.
  const holdsConnections = protocol !== 'short-poll';
  return {
    count: events.filter((e) => e.openAtMs !== undefined).length,
    affected: affected.size,
    detected: detected.size,
    reconnected: count(detected, notReconnected),
    caughtUp: count(detected, notCaughtUp),
    detectMs: summarizeSamples(detect),
    reconnectMs: summarizeSamples(reconnect),
    recoverMs: summarizeSamples(recover),
    zombieMs: summarizeSamples(zombie),
    zombiesFreed: holdsConnections ? freed : null,
    zombiesNeverFreed: holdsConnections ? Math.max(0, deadConnections - freed) : null,
  };
}

/** A fault as one connection met it: its real start (flap: the down phase) and removal. */
interface Attribution {
  fault: AppliedFaultWindow;
  startMs: number;
  endMs: number;
}

/**
 * The fault that killed a connection of `client` whose last byte arrived at lastGoodAtMs and
 * which was declared dead at deadAtMs: the earliest fault applied after its last byte (and
 * before the death); else the latest one active when that byte arrived. Times are the proxy's
 * applied / removed times for this client when known, else the window's nominal ones. No cut-off
 * after the fault's end: a late detection still belongs to the fault that started the outage.
 */
function attribute(
  faults: AppliedFaultWindow[],
  client: string,
  lastGoodAtMs: number,
  deadAtMs: number,
): Attribution | undefined {
  let after: Attribution | undefined;
  let active: Attribution | undefined;
  for (const f of faults) {
    if (!f.clientIds.has(client)) continue;
    const real = f.applied?.get(client);
    const startMs = real?.appliedAtMs ?? f.startMs;
    const endMs = real?.removedAtMs ?? f.endMs;
    if (startMs > deadAtMs || lastGoodAtMs > endMs) continue;
    const a = { fault: f, startMs, endMs };
    if (startMs > lastGoodAtMs) {
      if (!after || startMs < after.startMs) after = a;
    } else if (!active || startMs > active.startMs) active = a;
  }
  const found = after ?? active;
  if (found?.fault.flap) found.startMs = flapDownStart(found.startMs, found.fault.flap, lastGoodAtMs);
  return found;
}

/** Start of the flap's down phase that holds lastGoodAtMs or, in an up phase, the next one. */
export function flapDownStart(
  appliedAtMs: number,
  flap: { upMs: number; downMs: number },
  lastGoodAtMs: number,
): number {
  const periodMs = flap.upMs + flap.downMs;
  const intoMs = lastGoodAtMs - appliedAtMs;
  if (intoMs <= 0 || periodMs <= 0) return appliedAtMs;
  let k = Math.floor(intoMs / periodMs);
  if (intoMs - k * periodMs >= flap.downMs) k++;
  return appliedAtMs + k * periodMs;
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
  if (b.atMs - a.atMs <= 0) return null;
  return { serverCpuPct: cpuPctBetween(a, b), serverRssMB: round3(b.rssMB) };
}
