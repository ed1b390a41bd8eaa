/**
 * Artillery's JSON output (`artillery run --output out.json`) → results.json runs with
 * `engine: "artillery"`, one per protocol whose `pushbench.<protocol>.*` metrics it holds
 * (written by artillery-processor.cjs). What Artillery cannot measure is zero and said in `notes`.
 */

import { PushbenchError } from '../core/errors.ts';
import type {
  LatencySummary,
  ProtocolName,
  RunResult,
  TimeseriesPoint,
  TimingSummary,
} from '../core/types.ts';
import { PROTOCOLS } from '../core/types.ts';
import { round3 } from '../runner/results-io.ts';

interface Summary {
  [k: string]: number | undefined;
}

/** One period of Artillery's output (`aggregate` or an `intermediate` entry). */
export interface ArtilleryPeriod {
  counters: Record<string, number>;
  summaries: Record<string, Summary>;
  period?: number | string;
  firstMetricAt?: number;
  lastMetricAt?: number;
}

export interface ArtilleryReport {
  aggregate: ArtilleryPeriod;
  intermediate: ArtilleryPeriod[];
}

export interface ConvertOptions {
  /** Measured duration (ms) when known (the scenario's); default: first → last metric. */
  durationMs?: number;
  /** Server figures when the runner sampled its own server child. */
  server?: RunResult['server'];
  /** Extra notes (the export's caveats). */
  notes?: string[];
}

/** What the artillery engine does not measure, said in every run it produces. */
export const ARTILLERY_NOTES = [
  'Artillery engine: latencies are Artillery summaries (DDSketch, ~1 %, 0.1 ms steps); time series in 10 s periods',
  'not measured by Artillery (0): detect, recover and zombie times; generator event-loop delay',
  'expected = the seq range each client saw: a loss after its last delivery is not seen',
];

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};

/** Check the shape; throws PB_BAD_OPTION naming what is missing. */
export function asArtilleryReport(data: unknown, source = 'input'): ArtilleryReport {
  const agg = obj(obj(data).aggregate);
  if (typeof agg.counters !== 'object' || agg.counters === null) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      `${source}: not an Artillery JSON report (expected aggregate.counters; write one with artillery run --output)`,
    );
  }
  const period = (p: unknown): ArtilleryPeriod => ({
    ...(obj(p) as unknown as ArtilleryPeriod),
    counters: obj(obj(p).counters) as Record<string, number>,
    summaries: obj(obj(p).summaries) as Record<string, Summary>,
  });
  const intermediate = obj(data).intermediate;
  return {
    aggregate: period(agg),
    intermediate: Array.isArray(intermediate) ? intermediate.map(period) : [],
  };
}

/** Protocols that have pushbench metrics in the report, in the usual order. */
export function artilleryProtocols(report: ArtilleryReport): ProtocolName[] {
  const names = Object.keys(report.aggregate.counters);
  return PROTOCOLS.filter((p) => names.some((n) => n.startsWith(`pushbench.${p}.`)));
}

/** One RunResult per protocol found; throws PB_BAD_OPTION when there is none. */
export function convertArtillery(data: unknown, opts: ConvertOptions = {}, source = 'input'): RunResult[] {
  const report = asArtilleryReport(data, source);
  const protocols = artilleryProtocols(report);
  if (!protocols.length) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      `${source}: no pushbench.<protocol>.* metrics (was the script written by pushbench artillery?)`,
    );
  }
  return protocols.map((p) => artilleryRun(report, p, opts));
}

function latency(s: Summary | undefined): LatencySummary {
  const v = (k: string) => s?.[k] ?? 0;
  return {
    count: v('count'),
    mean: v('mean'),
    p50: v('p50'),
    p90: v('p90'),
    p99: v('p99'),
    p999: v('p999'),
    max: v('max'),
  };
}

/** A timing from an Artillery summary; null when it has no sample (never 0s). */
function timing(s: Summary | undefined): TimingSummary | null {
  if (!s || s.count === 0) return null;
  return { p50: s.p50 ?? 0, p99: s.p99 ?? 0, max: s.max ?? 0 };
}

/** The RunResult of one protocol from an Artillery report. */
export function artilleryRun(
  report: ArtilleryReport,
  protocol: ProtocolName,
  opts: ConvertOptions = {},
): RunResult {
  const a = report.aggregate;
  const prefix = `pushbench.${protocol}.`;
  const c = (name: string) => a.counters[prefix + name] ?? 0;
  const sum = (name: string) => a.summaries[prefix + name];
  const delivered = c('delivered');
  const expected = Math.max(c('expected'), delivered);
  const bytesIn = c('bytes_in');
  const bytesOut = c('bytes_out');
  const payload = c('payload_bytes');
  const ping = sum('ping_rtt_ms');
  const errors = errorCounts(a.counters, prefix);
  return {
    protocol,
    engine: 'artillery',
    clients: c('clients'),
    durationMs: opts.durationMs ?? Math.max(0, (a.lastMetricAt ?? 0) - (a.firstMetricAt ?? 0)),
    latencyMs: latency(sum('latency_ms')),
    recoveredLatencyMs: latency(sum('recovered_latency_ms')),
    delivery: {
      expected,
      delivered,
      lost: expected - delivered,
      duplicates: c('duplicates'),
      outOfOrder: c('out_of_order'),
    },
    bytes: {
      clientToServer: bytesOut,
      serverToClient: bytesIn,
      payload,
      overhead: Math.max(0, bytesIn + bytesOut - payload),
      perDeliveredMessage: delivered ? round3((bytesIn + bytesOut) / delivered) : 0,
    },
    requests: { total: c('requests'), empty: c('empty') },
    reconnects: {
      count: c('reconnects'),
      detectMs: timing(undefined),
      reconnectMs: timing(sum('reconnect_ms')),
      recoverMs: timing(undefined),
      zombieMs: timing(undefined),
    },
    server: opts.server ?? { cpuPct: 0, rssMB: 0, eventLoopP99Ms: 0 },
    // Artillery's own event loop is not sampled: null (not measured), never 0.
    generator: { eventLoopP99Ms: null, saturated: false, cpuMsPerDeliveredMessage: null },
    faults: [],
    timeseries: timeseries(report, prefix),
    ...(ping ? { pingRttMs: latency(ping) } : {}),
    ...(Object.keys(errors).length ? { errors } : {}),
    notes: notes(protocol, a, opts),
  };
}

/** Artillery's own `errors.<code>` plus the processor's `pushbench.<protocol>.errors.<kind>`. */
function errorCounts(counters: Record<string, number>, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, n] of Object.entries(counters)) {
    const key = name.startsWith('errors.')
      ? name.slice(7)
      : name.startsWith(`${prefix}errors.`)
        ? name.slice(prefix.length + 7)
        : null;
    if (key !== null) out[key] = (out[key] ?? 0) + n;
  }
  const failed = counters['vusers.failed'] ?? 0;
  if (failed) out.vusers_failed = failed;
  return out;
}

function timeseries(report: ArtilleryReport, prefix: string): TimeseriesPoint[] {
  const periods = report.intermediate
    .map((p) => ({ p, at: Number(p.period) }))
    .filter(({ p, at }) => Number.isFinite(at) && Object.keys(p.counters).some((k) => k.startsWith(prefix)))
    .sort((x, y) => x.at - y.at);
  let connected = 0;
  return periods.map(({ p, at }) => {
    const c = (name: string) => p.counters[prefix + name] ?? 0;
    connected += c('connects') - c('disconnects');
    const lat = p.summaries[`${prefix}latency_ms`];
    return {
      t: (at - periods[0].at) / 1000,
      connected: Math.max(0, connected),
      delivered: c('delivered'),
      p50: lat?.p50 ?? 0,
      p99: lat?.p99 ?? 0,
      bytesIn: c('bytes_in'),
      bytesOut: c('bytes_out'),
    };
  });
}

function notes(protocol: ProtocolName, a: ArtilleryPeriod, opts: ConvertOptions): string[] {
  const out = [...ARTILLERY_NOTES];
  if (!opts.server) out.push('server figures: 0 (Artillery does not see the server process)');
  if (protocol === 'sse')
    out.push('Artillery has no SSE engine: SSE clients run in a processor function step (node:http)');
  if (protocol.endsWith('poll'))
    out.push(
      'a failed request ends an Artillery virtual user: polling clients do not reconnect after an error',
    );
  const failed = a.counters['vusers.failed'] ?? 0;
  if (failed) out.push(`${failed} virtual users failed (see errors)`);
  return [...out, ...(opts.notes ?? [])];
}
