/**
 * Raw scenario input (parsed YAML) → resolved Scenario: human units parsed, every default
 * from core/defaults.ts filled in. Defensive on purpose: a bad value is reported and its
 * default used instead, so one pass finds every other problem too.
 */
import {
  BACKOFF_DEFAULTS,
  CLIENT_DEFAULTS,
  FAULT_DEFAULTS,
  HEARTBEAT_DEFAULTS,
  RUN_DEFAULTS,
  SCENARIO_DEFAULTS,
  SERVER_DEFAULTS,
  SOCKETIO_DEFAULTS,
} from '../core/defaults.ts';
import { DEFAULT_PROTOCOLS, isProtocolName, PROTOCOLS, type ProtocolName } from '../core/types.ts';
import { parseDurationMs, parseRateKbps, parseRatePerS, parseShare, parseSizeBytes } from '../core/units.ts';
import {
  type ClientShare,
  FAULT_KINDS,
  FAULT_PARAMS,
  type FaultKind,
  type ProblemList,
  type ProblemPath,
  type Scenario,
  type ScenarioFault,
  type ScenarioNetwork,
  type ScenarioSlo,
  UNIT_RULES,
} from './schema.ts';
import { resolveTarget } from './target.ts';

type Raw = Record<string, unknown>;

const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one field of a raw mapping in its unit; reports and falls back to the default when bad. */
class Reader {
  constructor(readonly problems: ProblemList) {}

  section(obj: Raw, key: string): Raw {
    return isRecord(obj[key]) ? (obj[key] as Raw) : {};
  }

  /** A duration needs its unit: a bare number other than 0 would silently mean milliseconds. */
  duration(obj: Raw, base: ProblemPath, key: string, fallback: number): number {
    const v = obj[key];
    const ms = typeof v === 'number' && v !== 0 ? undefined : parseDurationMs(v);
    return this.unit(v, ms, [...base, key], UNIT_RULES.duration, fallback);
  }

  size(obj: Raw, base: ProblemPath, key: string, fallback: number): number {
    return this.unit(obj[key], parseSizeBytes(obj[key]), [...base, key], UNIT_RULES.size, fallback);
  }

  rate(obj: Raw, base: ProblemPath, key: string, fallback: number): number {
    return this.unit(obj[key], parseRatePerS(obj[key]), [...base, key], UNIT_RULES.rate, fallback);
  }

  /** Bandwidth needs its unit (bps, kbps, Mbps…): a bare number is ambiguous. */
  kbps(obj: Raw, base: ProblemPath, key: string, fallback: number): number {
    const v = obj[key];
    const kbps = typeof v === 'string' ? parseRateKbps(v) : undefined;
    return this.unit(v, kbps, [...base, key], UNIT_RULES.bandwidth, fallback);
  }

  number(obj: Raw, base: ProblemPath, key: string, fallback: number, integer = false): number {
    const v = obj[key];
    const ok = typeof v === 'number' && Number.isFinite(v) && (!integer || Number.isInteger(v));
    return this.unit(
      v,
      ok ? v : undefined,
      [...base, key],
      `expected ${integer ? 'a whole number' : 'a number'}`,
      fallback,
    );
  }

  text(obj: Raw, base: ProblemPath, key: string, fallback: string): string {
    const v = obj[key];
    return this.unit(
      v,
      typeof v === 'string' && v !== '' ? v : undefined,
      [...base, key],
      'expected text',
      fallback,
    );
  }

  choice<T extends string>(obj: Raw, base: ProblemPath, key: string, allowed: readonly T[], fallback: T): T {
    const v = obj[key];
    const ok = typeof v === 'string' && (allowed as readonly string[]).includes(v);
    return this.unit(
      v,
      ok ? (v as T) : undefined,
      [...base, key],
      `expected one of ${allowed.join(', ')}`,
      fallback,
    );
  }

  private unit<T>(raw: unknown, parsed: T | undefined, path: ProblemPath, rule: string, fallback: T): T {
    if (raw === undefined) return fallback;
    if (parsed === undefined) this.problems.add(path, rule);
    return parsed ?? fallback;
  }
}

/** Resolve raw input; problems go to `problems` (the result is only meaningful when there are none). */
export function resolveRaw(raw: unknown, fallbackName: string, problems: ProblemList): Scenario {
  const top = isRecord(raw) ? raw : {};
  const r = new Reader(problems);
  const { protocols, clientsByProtocol } = resolveClients(top, r);
  const workers = top.workers === undefined ? undefined : r.number(top, [], 'workers', 1, true);
  const settings = resolveSettings(top, r);
  const hb = r.section(top, 'heartbeat');
  const target =
    top.target === undefined
      ? undefined
      : resolveTarget(top.target, { form: settings.heartbeat.form, given: hb.form !== undefined }, problems);
  // The profile's heartbeat form unless the scenario names one (docs/targets.md).
  if (target) settings.heartbeat.form = target.heartbeatForm;
  return {
    name: typeof top.name === 'string' ? top.name : fallbackName,
    ...(typeof top.description === 'string' ? { description: top.description } : {}),
    protocols,
    clients: Math.max(...Object.values(clientsByProtocol)),
    clientsByProtocol,
    ...(workers === undefined ? {} : { workers }),
    rampUpMs: r.duration(top, [], 'ramp', RUN_DEFAULTS.rampUpMs),
    warmUpMs: r.duration(top, [], 'warmup', RUN_DEFAULTS.warmUpMs),
    durationMs: r.duration(top, [], 'duration', RUN_DEFAULTS.durationMs),
    drainMs: r.duration(top, [], 'drain', RUN_DEFAULTS.drainMs),
    seed: r.number(top, [], 'seed', RUN_DEFAULTS.seed, true),
    source: resolveSource(r.section(top, 'source'), r),
    ...settings,
    headers: r.choice(top, [], 'headers', ['minimal', 'browser'], CLIENT_DEFAULTS.headers),
    browsers: r.number(top, [], 'browsers', SCENARIO_DEFAULTS.browsers, true),
    saturation: {
      eventLoopP99Ms: r.duration(
        r.section(top, 'saturation'),
        ['saturation'],
        'eventLoopP99',
        RUN_DEFAULTS.saturationMs,
      ),
    },
    ...(target ? { target } : {}),
    network: isRecord(top.network) ? resolveNetwork(top.network, r) : null,
    faults: Array.isArray(top.faults) ? top.faults.map((f, i) => resolveFault(f, ['faults', i], r)) : [],
    slo: isRecord(top.slo) ? resolveSlo(top.slo, r) : null,
  };
}

function resolveClients(top: Raw, r: Reader): Pick<Scenario, 'protocols' | 'clientsByProtocol'> {
  const map = isRecord(top.clients) ? top.clients : undefined;
  const listed = Array.isArray(top.protocols) ? top.protocols.filter((p) => isProtocolName(String(p))) : [];
  const fromMap = PROTOCOLS.filter((p) => map && p in map);
  const protocols: ProtocolName[] = listed.length
    ? [...new Set(listed as ProtocolName[])]
    : fromMap.length
      ? fromMap
      : [...DEFAULT_PROTOCOLS];
  const byProtocol: Partial<Record<ProtocolName, number>> = {};
  if (!map || fromMap.length === 0) {
    // no usable map (the schema reported why): every protocol gets the number or the default
    const n = map ? RUN_DEFAULTS.clients : r.number(top, [], 'clients', RUN_DEFAULTS.clients, true);
    for (const p of protocols) byProtocol[p] = n;
    return { protocols, clientsByProtocol: byProtocol };
  }
  for (const key of Object.keys(map)) {
    if (isProtocolName(key) && !protocols.includes(key)) {
      r.problems.add(['clients', key], `${key} is not in protocols (${protocols.join(', ')})`, [
        ['protocols'],
      ]);
    }
  }
  for (const p of protocols) {
    if (map[p] === undefined)
      r.problems.add(['clients', p], `required: protocols lists ${p}`, [['protocols']]);
    byProtocol[p] = r.number(map, ['clients'], p, RUN_DEFAULTS.clients, true);
  }
  return { protocols, clientsByProtocol: byProtocol };
}

function resolveSource(src: Raw, r: Reader): Scenario['source'] {
  const base = ['source'];
  const pattern = r.choice(src, base, 'pattern', ['constant', 'poisson', 'burst'], SERVER_DEFAULTS.pattern);
  if (src.burst !== undefined && pattern !== 'burst') {
    r.problems.add(['source', 'burst'], `only used with pattern: burst (pattern is ${pattern})`, [
      ['source', 'pattern'],
    ]);
  }
  return {
    ratePerS: r.rate(src, base, 'rate', RUN_DEFAULTS.ratePerS),
    sizeBytes: r.size(src, base, 'size', RUN_DEFAULTS.sizeBytes),
    pattern,
    burstSize: r.number(src, base, 'burst', SERVER_DEFAULTS.burstSize, true),
    mode: r.choice(src, base, 'mode', ['broadcast', 'addressed'], SCENARIO_DEFAULTS.sourceMode),
    payload: r.choice(src, base, 'payload', ['random', 'json'], SERVER_DEFAULTS.payload),
  };
}

type Settings = Pick<
  Scenario,
  'poll' | 'longPoll' | 'sse' | 'heartbeat' | 'backoff' | 'server' | 'socketio' | 'compression'
>;

function resolveSettings(top: Raw, r: Reader): Settings {
  const [poll, longPoll, sse, hb, backoff, server, sio, compression] = [
    'poll',
    'longPoll',
    'sse',
    'heartbeat',
    'backoff',
    'server',
    'socketio',
    'compression',
  ].map((key) => r.section(top, key));
  return {
    poll: {
      intervalMs: r.duration(poll, ['poll'], 'interval', CLIENT_DEFAULTS.pollIntervalMs),
      timeoutMs: r.duration(poll, ['poll'], 'timeout', CLIENT_DEFAULTS.pollTimeoutMs),
    },
    longPoll: {
      waitMs: r.duration(longPoll, ['longPoll'], 'wait', CLIENT_DEFAULTS.longPollWaitMs),
      marginMs: r.duration(longPoll, ['longPoll'], 'margin', CLIENT_DEFAULTS.longPollMarginMs),
    },
    sse: {
      keepAliveMs: r.duration(sse, ['sse'], 'keepAlive', CLIENT_DEFAULTS.sseKeepAliveMs),
      idleFactor: r.number(sse, ['sse'], 'idleFactor', CLIENT_DEFAULTS.sseIdleFactor),
    },
    heartbeat: {
      ...HEARTBEAT_DEFAULTS,
      form: r.choice(
        hb,
        ['heartbeat'],
        'form',
        ['json', 'text', 'protocol', 'none'],
        HEARTBEAT_DEFAULTS.form,
      ),
      pingText: r.text(hb, ['heartbeat'], 'ping', HEARTBEAT_DEFAULTS.pingText),
      pongText: r.text(hb, ['heartbeat'], 'pong', HEARTBEAT_DEFAULTS.pongText),
      intervalMs: r.duration(hb, ['heartbeat'], 'interval', HEARTBEAT_DEFAULTS.intervalMs),
      timeoutMs: r.duration(hb, ['heartbeat'], 'timeout', HEARTBEAT_DEFAULTS.timeoutMs),
      giveUp: r.choice(hb, ['heartbeat'], 'giveUp', ['terminate', 'close'], HEARTBEAT_DEFAULTS.giveUp),
      closeTimeoutMs: r.duration(hb, ['heartbeat'], 'closeTimeout', HEARTBEAT_DEFAULTS.closeTimeoutMs),
    },
    backoff: {
      ...BACKOFF_DEFAULTS,
      initialMs: r.duration(backoff, ['backoff'], 'initial', BACKOFF_DEFAULTS.initialMs),
      factor: r.number(backoff, ['backoff'], 'factor', BACKOFF_DEFAULTS.factor),
      maxMs: r.duration(backoff, ['backoff'], 'max', BACKOFF_DEFAULTS.maxMs),
      jitter: r.number(backoff, ['backoff'], 'jitter', BACKOFF_DEFAULTS.jitter),
    },
    server: {
      serverPingIntervalMs: r.duration(
        server,
        ['server'],
        'pingInterval',
        SERVER_DEFAULTS.serverPingIntervalMs,
      ),
      retentionCount: r.number(server, ['server'], 'retentionCount', SERVER_DEFAULTS.retentionCount, true),
      retentionMs: r.duration(server, ['server'], 'retentionAge', SERVER_DEFAULTS.retentionMs),
    },
    socketio: {
      pingIntervalMs: r.duration(sio, ['socketio'], 'pingInterval', SERVER_DEFAULTS.socketioPingIntervalMs),
      pingTimeoutMs: r.duration(sio, ['socketio'], 'pingTimeout', SERVER_DEFAULTS.socketioPingTimeoutMs),
      transport: r.choice(
        sio,
        ['socketio'],
        'transports',
        ['websocket', 'polling'],
        SOCKETIO_DEFAULTS.transport,
      ),
    },
    compression: {
      websocket: r.choice(compression, ['compression'], 'websocket', ['off', 'permessage-deflate'], 'off'),
      http: r.choice(compression, ['compression'], 'http', ['off', 'gzip'], 'off'),
    },
  };
}

function resolveNetwork(net: Raw, r: Reader): ScenarioNetwork {
  const base = ['network'];
  return {
    latencyMs: r.duration(net, base, 'latency', 0),
    jitterMs: r.duration(net, base, 'jitter', 0),
    ...(net.bandwidth === undefined ? {} : { rateKbps: r.kbps(net, base, 'bandwidth', 0) }),
  };
}

const FAULT_COMMON_KEYS = ['at', 'for', 'kind', 'clients', 'direction'];

function resolveFault(raw: unknown, base: ProblemPath, r: Reader): ScenarioFault {
  const f = isRecord(raw) ? raw : {};
  const known = (FAULT_KINDS as readonly string[]).includes(f.kind as string);
  // An unknown kind is reported by the schema; 'blackhole' (no params) only keeps the index.
  const kind = (known ? f.kind : 'blackhole') as FaultKind;
  return {
    kind,
    atMs: r.duration(f, base, 'at', 0),
    forMs: r.duration(f, base, 'for', 0),
    clients: resolveShare(f, base, r),
    direction: r.choice(f, base, 'direction', ['up', 'down', 'both'], FAULT_DEFAULTS.direction),
    params: known ? resolveFaultParams(f, kind, base, r) : {},
  };
}

function resolveShare(f: Raw, base: ProblemPath, r: Reader): ClientShare {
  if (f.clients === undefined) return { percent: FAULT_DEFAULTS.clientsPercent };
  const over = typeof f.clients === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(f.clients) : null;
  // parseShare refuses > 100%: keep the number so that the check can say so.
  const share = parseShare(f.clients) ?? (over ? { percent: Number(over[1]) } : undefined);
  if (!share) r.problems.add([...base, 'clients'], UNIT_RULES.share);
  return share ?? { percent: FAULT_DEFAULTS.clientsPercent };
}

function resolveFaultParams(f: Raw, kind: FaultKind, base: ProblemPath, r: Reader): Record<string, number> {
  const specs = FAULT_PARAMS[kind];
  for (const key of Object.keys(f)) {
    if (FAULT_COMMON_KEYS.includes(key) || key in specs) continue;
    const takes = Object.keys(specs);
    const rule = `not a parameter of ${kind} (${kind} takes ${takes.length ? takes.join(', ') : 'none'})`;
    r.problems.add([...base, key], rule, [[...base, 'kind']]);
  }
  const params: Record<string, number> = {};
  for (const [yamlKey, spec] of Object.entries(specs)) {
    if (f[yamlKey] === undefined && spec.default === undefined) {
      r.problems.add([...base, yamlKey], `required for kind ${kind}`);
    }
    const fallback = spec.default ?? 0;
    params[spec.key] =
      spec.unit === 'duration' ? r.duration(f, base, yamlKey, fallback) : r.kbps(f, base, yamlKey, fallback);
  }
  return params;
}

function resolveSlo(slo: Raw, r: Reader): ScenarioSlo {
  const base = ['slo'];
  const out: ScenarioSlo = {};
  const durations = {
    latencyP50: 'latencyP50Ms',
    latencyP99: 'latencyP99Ms',
    latencyMax: 'latencyMaxMs',
  } as const;
  for (const [key, field] of Object.entries(durations)) {
    if (slo[key] !== undefined) out[field] = r.duration(slo, base, key, 0);
  }
  if (slo.detectMax !== undefined) out.detectMsMax = r.duration(slo, base, 'detectMax', 0);
  if (slo.recoverMax !== undefined) out.recoverMsMax = r.duration(slo, base, 'recoverMax', 0);
  if (slo.lost !== undefined) out.lost = r.number(slo, base, 'lost', 0, true);
  if (slo.lostPct !== undefined) out.lostPct = r.number(slo, base, 'lostPct', 0);
  if (slo.bytesPerMessage !== undefined) out.bytesPerMessageMax = r.size(slo, base, 'bytesPerMessage', 0);
  if (slo.saturated === false) out.failIfSaturated = true;
  return out;
}
