/**
 * The resolved scenario the runner consumes — every unit resolved to ms / bytes / per
 * second / kbps, every default filled in — and the shape check of raw scenario input
 * against scenario.schema.json (ajv), translated into `path: rule` problems.
 * Semantic checks live in checks.ts, unit resolution in resolve.ts.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type AnySchemaObject, type ErrorObject } from 'ajv';
import { type BACKOFF_DEFAULTS, FAULT_DEFAULTS, type HEARTBEAT_DEFAULTS } from '../core/defaults.ts';
import type { ProtocolName } from '../core/types.ts';
import { FAULT_KINDS, type FaultKind } from '../network/spec.ts';
import type { ScenarioTarget } from './target.ts';

/** Fault kinds come from the fault proxy's registry (network/toxics/registry.ts). */
export { FAULT_KINDS, type FaultKind };
export type FaultDirection = 'up' | 'down' | 'both';
export type ClientShare = { percent: number } | { count: number };

/** A fault parameter: YAML key → resolved key (unit in the name); no default means required. */
export interface FaultParamSpec {
  key: string;
  unit: 'duration' | 'bandwidth';
  default?: number;
}

export interface ScenarioFault {
  kind: FaultKind;
  /** From the start of the measured duration (after ramp-up and warm-up). */
  atMs: number;
  forMs: number;
  clients: ClientShare;
  direction: FaultDirection;
  /** Kind-specific, units in the names: latencyMs, jitterMs, rateKbps, upMs, downMs. */
  params: Record<string, number>;
}

export interface ScenarioNetwork {
  latencyMs: number;
  jitterMs: number;
  rateKbps?: number;
}

/** Every field is a maximum; absent fields are not checked. */
export interface ScenarioSlo {
  latencyP50Ms?: number;
  latencyP99Ms?: number;
  latencyMaxMs?: number;
  lost?: number;
  lostPct?: number;
  detectMsMax?: number;
  recoverMsMax?: number;
  bytesPerMessageMax?: number;
  /** Breach when the generator was saturated (YAML `saturated: false`). */
  failIfSaturated?: boolean;
}

export interface Scenario {
  name: string;
  description?: string;
  protocols: ProtocolName[];
  /** Clients per protocol run: the largest of clientsByProtocol. */
  clients: number;
  /** One entry per protocol in `protocols` (see clientsFor). */
  clientsByProtocol: Partial<Record<ProtocolName, number>>;
  /** Generator processes; absent: the runner decides (at least minWorkers). */
  workers?: number;
  rampUpMs: number;
  warmUpMs: number;
  durationMs: number;
  drainMs: number;
  seed: number;
  source: {
    ratePerS: number;
    sizeBytes: number;
    pattern: 'constant' | 'poisson' | 'burst';
    burstSize: number;
    mode: 'broadcast' | 'addressed';
    /** random (incompressible) or json (a realistic, compressible object). */
    payload: 'random' | 'json';
  };
  poll: { intervalMs: number; timeoutMs: number };
  longPoll: { waitMs: number; marginMs: number };
  sse: { keepAliveMs: number; idleFactor: number };
  heartbeat: typeof HEARTBEAT_DEFAULTS;
  backoff: typeof BACKOFF_DEFAULTS;
  server: { serverPingIntervalMs: number; retentionCount: number; retentionMs: number };
  /** socket.io: Socket.IO's heartbeat and the transport its clients start with. */
  socketio: { pingIntervalMs: number; pingTimeoutMs: number; transport: 'websocket' | 'polling' };
  /** Each off by default: permessage-deflate for websocket / socket.io, gzip for SSE and poll answers. */
  compression: { websocket: 'off' | 'permessage-deflate'; http: 'off' | 'gzip' };
  headers: 'minimal' | 'browser';
  browsers: number;
  /**
   * Event-loop delay p99 in the measured window above which the server or the generator is
   * flagged saturated (docs/scenarios.md "saturation"; default RUN_DEFAULTS.saturationMs).
   */
  saturation: { eventLoopP99Ms: number };
  /** A server pushbench did not start (docs/targets.md); absent: pushbench's own servers. */
  target?: ScenarioTarget;
  network: ScenarioNetwork | null;
  faults: ScenarioFault[];
  slo: ScenarioSlo | null;
}

/**
 * Kind → its YAML parameters and the proxy's names for them. Typed by the proxy's registry, so a
 * new kind fails to compile until it is added here and to scenario.schema.json (a test checks both).
 */
export const FAULT_PARAMS: Record<FaultKind, Record<string, FaultParamSpec>> = {
  latency: {
    latency: { key: 'latencyMs', unit: 'duration' },
    jitter: { key: 'jitterMs', unit: 'duration', default: FAULT_DEFAULTS.jitterMs },
  },
  bandwidth: { rate: { key: 'rateKbps', unit: 'bandwidth' } },
  blackhole: {},
  reset: {},
  close: {},
  flap: {
    up: { key: 'upMs', unit: 'duration', default: FAULT_DEFAULTS.flapUpMs },
    down: { key: 'downMs', unit: 'duration', default: FAULT_DEFAULTS.flapDownMs },
  },
};

/** Clients of one protocol run. */
export function clientsFor(scenario: Scenario, protocol: ProtocolName): number {
  return scenario.clientsByProtocol[protocol] ?? scenario.clients;
}

// ---------------------------------------------------------------- problems

export type ProblemPath = Array<string | number>;
export interface Problem {
  path: ProblemPath;
  rule: string;
}

/** `['faults', 0, 'for']` → `faults[0].for`; the empty path → `(root)`. */
export function formatPath(path: ProblemPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(root)';
}

function isPrefix(prefix: ProblemPath, path: ProblemPath): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => seg === path[i]);
}

/** Collects problems; one mistake is reported once: nothing more on or under a path already reported. */
export class ProblemList {
  readonly items: Problem[] = [];

  /** Add unless `path` or any path it depends on was already reported. */
  add(path: ProblemPath, rule: string, dependsOn: ProblemPath[] = []): void {
    if ([path, ...dependsOn].some((p) => this.covers(p))) return;
    this.items.push({ path, rule });
  }

  covers(path: ProblemPath): boolean {
    return this.items.some((p) => isPrefix(p.path, path));
  }

  /** `path: rule` lines. */
  format(): string[] {
    return this.items.map((p) => `${formatPath(p.path)}: ${p.rule}`);
  }
}

/** 45000 → "45s", 1500 → "1.5s", 250 → "250ms": for messages about limits. */
export function humanMs(ms: number): string {
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(3))}s`;
  return `${Number(ms.toFixed(3))}ms`;
}

// ---------------------------------------------------------------- JSON Schema (shape)

/** The shipped JSON Schema (draft-07), parsed. */
export const SCENARIO_JSON_SCHEMA: AnySchemaObject = JSON.parse(
  readFileSync(new URL('./scenario.schema.json', import.meta.url), 'utf8'),
);

const props = SCENARIO_JSON_SCHEMA.properties;

/** The rule for a value that does not parse in its unit (shared with resolve.ts). */
export const UNIT_RULES = {
  duration: 'expected a duration such as "5s"',
  size: 'expected a size such as "256B" or "1KB"',
  rate: 'expected a rate such as "10/s"',
  bandwidth: 'expected a bandwidth such as "256kbps"',
  share: 'expected a share such as "50%" or a client count',
} as const;

// A unit-typed property is recognised by its pattern, so every error on it (type, pattern,
// bound) becomes one readable rule.
const RULE_BY_PATTERN = new Map<string, string>([
  [props.duration.pattern, UNIT_RULES.duration],
  [props.source.properties.size.pattern, UNIT_RULES.size],
  [props.source.properties.rate.pattern, UNIT_RULES.rate],
  [props.network.properties.bandwidth.pattern, UNIT_RULES.bandwidth],
  [SCENARIO_JSON_SCHEMA.definitions.fault.properties.clients.pattern, UNIT_RULES.share],
]);

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
  null: 'null',
};

const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
const validateJson = ajv.compile(SCENARIO_JSON_SCHEMA);

/** Check raw scenario input against scenario.schema.json; every problem, as path + rule. */
export function checkShape(raw: unknown, problems: ProblemList): void {
  if (validateJson(raw)) return;
  for (const error of validateJson.errors ?? []) {
    const { path, rule } = translate(error);
    if (!problems.items.some((p) => formatPath(p.path) === formatPath(path))) problems.add(path, rule);
  }
}

function pointerToPath(pointer: string): ProblemPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

function translate(e: ErrorObject): Problem {
  const path = pointerToPath(e.instancePath);
  const parent = e.parentSchema ?? {};
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') {
    const allowed = Object.keys(parent.properties ?? {}).join(', ');
    return { path: [...path, String(p.additionalProperty)], rule: `unknown key (allowed: ${allowed})` };
  }
  if (e.keyword === 'required') return { path: [...path, String(p.missingProperty)], rule: 'required' };
  const unitRule = RULE_BY_PATTERN.get(parent.pattern);
  if (unitRule) return { path, rule: unitRule + unitHint(unitRule, e.data) };
  return { path, rule: ruleFor(e, p) };
}

/** A bare number where a unit is required: say how to write it. */
function unitHint(rule: string, data: unknown): string {
  if (typeof data !== 'number') return '';
  if (rule === UNIT_RULES.duration) return ` (${data} has no unit: write "${data}s" or "${data}ms")`;
  if (rule === UNIT_RULES.bandwidth) return ` (${data} has no unit: write "${data}kbps")`;
  return '';
}

function ruleFor(e: ErrorObject, p: Record<string, unknown>): string {
  switch (e.keyword) {
    case 'type':
      return `expected ${[p.type]
        .flat()
        .map((t) => TYPE_WORDS[String(t)] ?? t)
        .join(' or ')}`;
    case 'enum':
      return `expected one of ${(p.allowedValues as unknown[]).join(', ')} (got ${JSON.stringify(e.data)})`;
    case 'const':
      return `only ${JSON.stringify(p.allowedValue)} is allowed`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'exclusiveMinimum':
      return `must be more than ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'minItems':
      return `expected at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `expected at most ${p.limit} items`;
    case 'uniqueItems':
      return `lists ${JSON.stringify((e.data as unknown[])[Number(p.j)])} twice`;
    case 'minProperties':
      return 'expected at least one key';
    case 'pattern':
      return e.instancePath === '/name'
        ? 'expected letters, digits, ".", "-" or "_" (starting with a letter or digit, at most 64)'
        : `expected text matching ${p.pattern}`;
    default:
      return e.message ?? e.keyword;
  }
}
