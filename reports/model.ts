/**
 * The report's view of results.json: every figure is `number | null` (null = not measured or
 * meaningless, e.g. latency of a run that delivered nothing), so renderers never see NaN and
 * never throw on a partial or older file. Derived figures (requests/s, shares) live here once.
 */
import { RUN_DEFAULTS } from '../core/defaults.ts';
import type { Results, RunResult } from '../core/types.ts';
import { num, ratio } from './format.ts';

export interface Percentiles {
  count: number | null;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

export interface Timing {
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface FaultWindow {
  kind: string;
  fromS: number;
  toS: number;
  clients: number | null;
}

export interface SeriesPoint {
  t: number;
  connected: number | null;
  delivered: number | null;
  p50: number | null;
  p99: number | null;
  bytesPerS: number | null;
  serverCpuPct: number | null;
  serverRssMB: number | null;
}

export interface RunView {
  /** Unique within one results file: protocol, engine, and #n when repeated. */
  key: string;
  label: string;
  protocol: string;
  engine: string;
  clients: number | null;
  durationMs: number | null;
  latency: Percentiles;
  recovered: Percentiles;
  delivery: {
    expected: number | null;
    delivered: number | null;
    lost: number | null;
    duplicates: number | null;
    outOfOrder: number | null;
    deliveredShare: number | null;
    lostShare: number | null;
  };
  bytes: {
    total: number | null;
    payloadPerMsg: number | null;
    overheadPerMsg: number | null;
    perMsg: number | null;
    overheadShare: number | null;
  };
  requests: { total: number | null; empty: number | null; perS: number | null; emptyShare: number | null };
  reconnects: {
    count: number | null;
    detect: Timing;
    reconnect: Timing;
    recover: Timing;
    zombie: Timing;
    /** Clients inside a fault window / that detected / reconnected / caught up (null: older file). */
    affected: number | null;
    detected: number | null;
    reconnected: number | null;
    caughtUp: number | null;
    /** Dead connections the server freed / never freed (null: short-poll, or an older file). */
    zombiesFreed: number | null;
    zombiesNeverFreed: number | null;
  };
  server: {
    cpuPct: number | null;
    rssMB: number | null;
    eventLoopP99Ms: number | null;
    /** The server's event loop was over the saturation threshold in the measured window. */
    saturated: boolean;
    cpuMsPerMsg: number | null;
    kbPerConnection: number | null;
  };
  /** cpuMsPerMsg: the load-generating processes' CPU per delivered message (null: not measured). */
  generator: { eventLoopP99Ms: number | null; saturated: boolean; cpuMsPerMsg: number | null };
  /** What both `saturated` flags were judged against (event-loop p99, ms); null: an older file. */
  saturationThresholdMs: number | null;
  /** Counters the other figures hide (null: an older file or another engine). */
  counters: {
    negativeLatencies: number;
    connectionsLost: number;
    neverReopened: number;
    gapsLost: number;
    warmUpSkipped: number;
  } | null;
  /** The message source's schedule (null: an older file); behind: maxLagMs over RUN_DEFAULTS.sourceLagMs. */
  source: {
    scheduled: number;
    published: number;
    ratePerS: number;
    maxLagMs: number;
    behind: boolean;
  } | null;
  slo: { passed: boolean; breaches: string[] } | null;
  pingRttMs: Percentiles | null;
  faults: FaultWindow[];
  series: SeriesPoint[];
  notes: string[];
  /** websocket runs: the heartbeat form the clients used. */
  heartbeatForm: string | null;
  /** What variant ran: payload kind, compression, socket.io transport / heartbeat / resumes, as text. */
  variant: string[];
  errors: Array<[string, number]>;
}

/** Anything → a plain object to read fields from (never throws). */
function obj(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function percentiles(raw: unknown): Percentiles {
  const o = obj(raw);
  const count = num(o.count);
  // Percentiles of an empty histogram are meaningless (runners write 0s): show them as missing.
  const has = count === null || count > 0;
  const pick = (k: string) => (has ? num(o[k]) : null);
  return {
    count,
    mean: pick('mean'),
    p50: pick('p50'),
    p90: pick('p90'),
    p99: pick('p99'),
    p999: pick('p999'),
    max: pick('max'),
  };
}

function timing(raw: unknown, measured: boolean): Timing {
  const o = obj(raw);
  return measured
    ? { p50: num(o.p50), p99: num(o.p99), max: num(o.max) }
    : { p50: null, p99: null, max: null };
}

function faults(raw: unknown): FaultWindow[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((f) => {
    const o = obj(f);
    const at = num(o.atMs);
    const forMs = num(o.forMs);
    if (at === null || forMs === null) return [];
    return [
      {
        kind: String(o.kind ?? 'fault'),
        fromS: at / 1000,
        toS: (at + forMs) / 1000,
        clients: num(o.clients),
      },
    ];
  });
}

function series(raw: unknown): SeriesPoint[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((p) => {
    const o = obj(p);
    const t = num(o.t);
    if (t === null) return [];
    const delivered = num(o.delivered);
    // A bucket that delivered nothing has no latency: a gap, not a zero.
    const lat = (k: string) => (delivered === 0 ? null : num(o[k]));
    const bytesIn = num(o.bytesIn);
    const bytesOut = num(o.bytesOut);
    const bytesPerS = bytesIn === null && bytesOut === null ? null : (bytesIn ?? 0) + (bytesOut ?? 0);
    return [
      {
        t,
        connected: num(o.connected),
        delivered,
        p50: lat('p50'),
        p99: lat('p99'),
        bytesPerS,
        serverCpuPct: num(o.serverCpuPct),
        serverRssMB: num(o.serverRssMB),
      },
    ];
  });
}

function strings(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.map((s) => String(s)) : [];
}

/**
 * The label users see: the protocol, with the engine when it is not pushbench's own, and the
 * target's profile when the run measured a server pushbench did not start ("sse @ nchan").
 */
export function runLabel(protocol: string, engine: string, target?: string): string {
  const base = engine === 'pushbench' ? protocol : `${protocol} (${engine})`;
  return target ? `${base} @ ${target}` : base;
}

/** A target run's profile (results.json `runs[].target.profile`), else undefined. */
function targetOf(r: Record<string, unknown>): string | undefined {
  const t = obj(r.target);
  return typeof t.profile === 'string' ? t.profile : undefined;
}

/** Normalize one run; `key` must be unique in the file (see buildRunViews). */
export function runView(raw: RunResult | Record<string, unknown>, key: string, label: string): RunView {
  const r = obj(raw);
  const d = obj(r.delivery);
  const b = obj(r.bytes);
  const q = obj(r.requests);
  const rc = obj(r.reconnects);
  const s = obj(r.server);
  const g = obj(r.generator);
  const durationMs = num(r.durationMs);
  const delivered = num(d.delivered);
  const expected = num(d.expected);
  const total = sum(num(b.clientToServer), num(b.serverToClient));
  const payload = num(b.payload);
  const overhead = num(b.overhead);
  const reqTotal = num(q.total);
  const count = num(rc.count);
  // Files with the counts write null for a timing without a sample; older ones wrote 0s.
  const hasCounts = num(rc.affected) !== null;
  const measured = hasCounts || count === null || count > 0;
  const slo = obj(r.slo);
  const sloPresent = typeof slo.passed === 'boolean';
  return {
    key,
    label,
    protocol: String(r.protocol ?? 'unknown'),
    engine: String(r.engine ?? 'pushbench'),
    clients: num(r.clients),
    durationMs,
    latency: percentiles(r.latencyMs),
    recovered: percentiles(r.recoveredLatencyMs),
    delivery: {
      expected,
      delivered,
      lost: num(d.lost),
      duplicates: num(d.duplicates),
      outOfOrder: num(d.outOfOrder),
      deliveredShare: ratio(delivered, expected),
      lostShare: ratio(num(d.lost), expected),
    },
    bytes: {
      total,
      perMsg: delivered ? (num(b.perDeliveredMessage) ?? ratio(total, delivered)) : null,
      payloadPerMsg: ratio(payload, delivered),
      overheadPerMsg: ratio(overhead, delivered),
      overheadShare: pct(ratio(overhead, sum(payload, overhead))),
    },
    requests: {
      total: reqTotal,
      empty: reqTotal ? num(q.empty) : null,
      // requests.perSecond counts the measured window only; older files have none (their
      // total ÷ duration counted ramp, warm-up and drain too, so it is not shown).
      perS: reqTotal ? num(q.perSecond) : null,
      emptyShare: pct(ratio(num(q.empty), reqTotal)),
    },
    reconnects: {
      count,
      detect: timing(rc.detectMs, measured),
      reconnect: timing(rc.reconnectMs, measured),
      recover: timing(rc.recoverMs, measured),
      zombie: timing(rc.zombieMs, measured && (hasCounts || zombieMeasured(rc.zombieMs))),
      affected: num(rc.affected),
      detected: num(rc.detected),
      reconnected: num(rc.reconnected),
      caughtUp: num(rc.caughtUp),
      zombiesFreed: num(rc.zombiesFreed),
      zombiesNeverFreed: num(rc.zombiesNeverFreed),
    },
    server: {
      cpuPct: num(s.cpuPct),
      rssMB: num(s.rssMB),
      eventLoopP99Ms: num(s.eventLoopP99Ms),
      saturated: s.saturated === true,
      cpuMsPerMsg: num(s.cpuMsPerDeliveredMessage),
      kbPerConnection: memoryPerConnection(num(s.memoryKBPerConnection), num(r.clients)),
    },
    generator: {
      eventLoopP99Ms: num(g.eventLoopP99Ms),
      saturated: g.saturated === true,
      cpuMsPerMsg: num(g.cpuMsPerDeliveredMessage),
    },
    saturationThresholdMs: num(r.saturationThresholdMs),
    source: sourceView(r.source),
    counters: countersView(r.counters),
    slo: sloPresent ? { passed: slo.passed === true, breaches: strings(slo.breaches) } : null,
    pingRttMs: r.pingRttMs ? percentiles(r.pingRttMs) : null,
    faults: faults(r.faults),
    series: series(r.timeseries),
    notes: strings(r.notes),
    heartbeatForm: typeof r.heartbeatForm === 'string' ? r.heartbeatForm : null,
    variant: variantText(r),
    errors: Object.entries(obj(r.errors)).flatMap(([k, v]) => (num(v) === null ? [] : [[k, v as number]])),
  };
}

/** payload json, permessage-deflate, socket.io transport, heartbeat and what resumed its reconnects. */
function variantText(r: Record<string, unknown>): string[] {
  const out: string[] = [];
  const t = obj(r.target);
  if (typeof t.profile === 'string') {
    out.push(
      `target: ${t.profile} at ${String(t.url)} (${t.mode === 'observe' ? 'observed its own stream, loss from seq gaps' : 'published by POST'}; ` +
        `resume: ${String(t.resume ?? 'none')}; server ${typeof t.pid === 'number' ? `pid ${t.pid}` : 'not measured'})`,
    );
  }
  if (r.payload === 'json') out.push('payload: json');
  if (typeof r.compression === 'string') out.push(`compression: ${r.compression}`);
  const sio = obj(r.socketio);
  if (typeof sio.transport === 'string') {
    const by = obj(sio.resumedBy);
    out.push(
      `socket.io over ${sio.transport === 'polling' ? 'polling → upgrade' : 'websocket'}, ` +
        `ping ${num(sio.pingIntervalMs) ?? '?'} + ${num(sio.pingTimeoutMs) ?? '?'} ms, ` +
        `resumed by recovery ${num(by.recovery) ?? 0} / by seq ${num(by.seq) ?? 0}`,
    );
  }
  return out;
}

/** results.json `counters` (null when absent or incomplete). */
function countersView(raw: unknown): RunView['counters'] {
  const o = obj(raw);
  const keys = [
    'negativeLatencies',
    'connectionsLost',
    'neverReopened',
    'gapsLost',
    'warmUpSkipped',
  ] as const;
  const values = keys.map((k) => num(o[k]));
  if (values.some((v) => v === null)) return null;
  return Object.fromEntries(keys.map((k, i) => [k, values[i]])) as NonNullable<RunView['counters']>;
}

/** results.json `source` (null when absent or incomplete). */
function sourceView(raw: unknown): RunView['source'] {
  const o = obj(raw);
  const scheduled = num(o.scheduled);
  const published = num(o.published);
  const ratePerS = num(o.ratePerS);
  const maxLagMs = num(o.maxLagMs);
  if (scheduled === null || published === null || ratePerS === null || maxLagMs === null) return null;
  return { scheduled, published, ratePerS, maxLagMs, behind: maxLagMs > RUN_DEFAULTS.sourceLagMs };
}

/** Zombie time is 0 everywhere when the server never had to free a dead connection. */
function zombieMeasured(raw: unknown): boolean {
  const o = obj(raw);
  return [o.p50, o.p99, o.max].some((v) => num(v) !== null && (v as number) > 0);
}

function sum(a: number | null, b: number | null): number | null {
  return a === null && b === null ? null : (a ?? 0) + (b ?? 0);
}

function pct(share: number | null): number | null {
  return share === null ? null : share * 100;
}

/** Normalize every run, giving repeated protocol/engine pairs a #n suffix. */
export function buildRunViews(results: Results): RunView[] {
  const runs = Array.isArray(results.runs) ? results.runs : [];
  const seen = new Map<string, number>();
  return runs.map((raw) => {
    const r = obj(raw);
    const base = runLabel(String(r.protocol ?? 'unknown'), String(r.engine ?? 'pushbench'), targetOf(r));
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const label = n === 1 ? base : `${base} #${n}`;
    return runView(r, label, label);
  });
}

/** Every distinct fault window across runs (runs of one scenario share its timeline). */
export function faultWindows(runs: RunView[]): FaultWindow[] {
  const byKey = new Map<string, FaultWindow>();
  for (const f of runs.flatMap((r) => r.faults)) byKey.set(`${f.kind}@${f.fromS}-${f.toS}`, f);
  return [...byKey.values()].sort((a, b) => a.fromS - b.fromS);
}

/**
 * Memory per connection only where the connection count makes it meaningful (docs/report.md):
 * results written before the figure became null under RUN_DEFAULTS.memoryMinConnections carry
 * RSS noise (often "0.0 KB") there; it reads "—" and is never starred.
 */
function memoryPerConnection(kb: number | null, clients: number | null): number | null {
  if (kb === null || kb <= 0 || clients === null || clients < RUN_DEFAULTS.memoryMinConnections) return null;
  return kb;
}
