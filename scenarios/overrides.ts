/**
 * CLI flags override scenario fields. Flags are parsed with the same units and rules as
 * the file (`--duration 30s`, `--rate 5/s`), then the whole scenario is checked again:
 * `--duration 10s` against a fault at 20s is reported like a bad file (PB_BAD_OPTION, exit 2).
 */

import { PROFILE_NAMES } from '../clients/profiles/registry.ts';
import { HEARTBEAT_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import { isProtocolName, type ProtocolName } from '../core/types.ts';
import { parseDurationMs, parseRatePerS, parseSizeBytes } from '../core/units.ts';
import { checkScenario, SCENARIO_LIMITS } from './checks.ts';
import { ProblemList, type Scenario, UNIT_RULES } from './schema.ts';
import { resolveTarget, type ScenarioTarget } from './target.ts';

/** Resolved values (ms, bytes, per second); each replaces its scenario field. */
export interface ScenarioOverrides {
  name?: string;
  protocols?: ProtocolName[];
  /** Replaces every protocol's client count. */
  clients?: number;
  workers?: number;
  durationMs?: number;
  rampUpMs?: number;
  warmUpMs?: number;
  drainMs?: number;
  ratePerS?: number;
  sizeBytes?: number;
  seed?: number;
  headers?: 'minimal' | 'browser';
  browsers?: number;
  /** The saturation threshold: replaces the scenario's `saturation.eventLoopP99`. */
  saturationMs?: number;
  /** A target server (docs/targets.md): its URL, profile and pid, each replacing the scenario's. */
  target?: string;
  profile?: string;
  targetPid?: number;
}

type Key = keyof ScenarioOverrides;

/** The flag that sets each override, for messages. */
const FLAG: Record<Key, string> = {
  name: '--name',
  protocols: '--protocols',
  clients: '--clients',
  workers: '--workers',
  durationMs: '--duration',
  rampUpMs: '--ramp',
  warmUpMs: '--warmup',
  drainMs: '--drain',
  ratePerS: '--rate',
  sizeBytes: '--size',
  seed: '--seed',
  headers: '--headers',
  browsers: '--browsers',
  saturationMs: '--saturation',
  target: '--target',
  profile: '--profile',
  targetPid: '--target-pid',
};

const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isAmount = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** The rule an override breaks, or undefined when it is fine. */
function overrideRule(key: Key, v: unknown): string | undefined {
  switch (key) {
    case 'name':
      return typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v)
        ? undefined
        : 'expected letters, digits, ".", "-" or "_" (starting with a letter or digit, at most 64)';
    case 'protocols':
      return Array.isArray(v) &&
        v.length > 0 &&
        v.every((p) => isProtocolName(String(p))) &&
        new Set(v).size === v.length
        ? undefined
        : 'expected distinct protocols from short-poll, long-poll, sse, websocket';
    case 'clients':
      return isInt(v, 1) ? undefined : 'expected a whole number ≥ 1';
    case 'workers':
      return isInt(v, 1, SCENARIO_LIMITS.maxWorkers)
        ? undefined
        : `expected a whole number 1–${SCENARIO_LIMITS.maxWorkers}`;
    case 'seed':
      return isInt(v, 0) ? undefined : 'expected a whole number ≥ 0';
    case 'browsers':
      return isInt(v, 0, 10) ? undefined : 'expected a whole number 0–10';
    case 'headers':
      return v === 'minimal' || v === 'browser' ? undefined : 'expected one of minimal, browser';
    case 'target':
      return typeof v === 'string' && /^(https?|wss?):\/\/[^/]+/.test(v)
        ? undefined
        : 'expected a URL such as http://127.0.0.1:8080';
    case 'profile':
      return typeof v === 'string' && PROFILE_NAMES.includes(v)
        ? undefined
        : `expected one of ${PROFILE_NAMES.join(', ')}`;
    case 'targetPid':
      return isInt(v, 1) ? undefined : 'expected a process id (a whole number ≥ 1)';
    case 'sizeBytes':
      return isInt(v, 0) ? undefined : UNIT_RULES.size;
    case 'ratePerS':
      return isAmount(v) ? undefined : UNIT_RULES.rate;
    case 'saturationMs':
      return isAmount(v) && (v as number) > 0 ? undefined : `${UNIT_RULES.duration}, more than 0`;
    default:
      return isAmount(v) ? undefined : UNIT_RULES.duration;
  }
}

/** Apply CLI overrides to a resolved scenario; throws PB_BAD_OPTION listing every problem. */
export function applyOverrides(scenario: Scenario, overrides: ScenarioOverrides): Scenario {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides) as Array<[Key, unknown]>) {
    if (value === undefined) continue;
    const rule = overrideRule(key, value);
    if (rule) problems.push(`${FLAG[key]}: ${rule}`);
  }
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', `overrides of ${scenario.name}`, problems);
  const {
    protocols = scenario.protocols,
    clients,
    ratePerS,
    sizeBytes,
    target,
    profile,
    targetPid,
    saturationMs,
    ...rest
  } = overrides;
  const withTarget = overrideTarget(scenario, { target, profile, targetPid });
  const clientsByProtocol: Scenario['clientsByProtocol'] = {};
  for (const p of protocols)
    clientsByProtocol[p] = clients ?? scenario.clientsByProtocol[p] ?? scenario.clients;
  const next: Scenario = {
    ...scenario,
    ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    protocols: [...protocols],
    clientsByProtocol,
    clients: Math.max(...Object.values(clientsByProtocol)),
    source: {
      ...scenario.source,
      ...(ratePerS === undefined ? {} : { ratePerS }),
      ...(sizeBytes === undefined ? {} : { sizeBytes }),
    },
    ...(saturationMs === undefined ? {} : { saturation: { eventLoopP99Ms: saturationMs } }),
    ...(withTarget
      ? { target: withTarget, heartbeat: { ...scenario.heartbeat, form: withTarget.heartbeatForm } }
      : {}),
  };
  const list = new ProblemList();
  checkScenario(next, list);
  if (list.items.length)
    throw new PushbenchError('PB_BAD_OPTION', `${scenario.name} with overrides`, list.format());
  return next;
}

/** The scenario's target with --target / --profile / --target-pid applied (undefined: no change). */
function overrideTarget(
  scenario: Scenario,
  o: Pick<ScenarioOverrides, 'target' | 'profile' | 'targetPid'>,
): ScenarioTarget | undefined {
  if (o.target === undefined && o.profile === undefined && o.targetPid === undefined) return undefined;
  if (!scenario.target && o.target === undefined) {
    const flag = o.profile !== undefined ? '--profile' : '--target-pid';
    throw new PushbenchError('PB_BAD_OPTION', `${flag}: needs --target URL (or a target in the scenario)`);
  }
  const raw: Record<string, unknown> = { ...(scenario.target?.given ?? {}) };
  if (o.target !== undefined) raw.url = o.target;
  if (o.profile !== undefined && o.profile !== raw.profile) {
    // Another profile: its own paths, resume and pointers unless the file gave them for it.
    raw.profile = o.profile;
  }
  if (o.targetPid !== undefined) raw.pid = o.targetPid;
  const given = scenario.target?.heartbeatFormGiven ?? scenario.heartbeat.form !== HEARTBEAT_DEFAULTS.form;
  const list = new ProblemList();
  const resolved = resolveTarget(raw, { form: scenario.heartbeat.form, given }, list);
  if (list.items.length) throw new PushbenchError('PB_BAD_OPTION', 'target flags', list.format());
  return resolved;
}

/** Parsers from flag text (or numbers) to override values; undefined = unparsable. */
const FROM_FLAG: Record<Key, (v: unknown) => unknown> = {
  name: (v) => v,
  protocols: (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
      : v,
  clients: toInt,
  workers: toInt,
  seed: toInt,
  browsers: toInt,
  headers: (v) => v,
  target: (v) => v,
  profile: (v) => v,
  targetPid: toInt,
  durationMs: toDurationMs,
  rampUpMs: toDurationMs,
  warmUpMs: toDurationMs,
  drainMs: toDurationMs,
  saturationMs: toDurationMs,
  ratePerS: parseRatePerS,
  sizeBytes: parseSizeBytes,
};

/** Flag name (as commander gives it: duration, rate, targetPid…) → override key. */
const KEY_OF_FLAG = Object.fromEntries(
  Object.entries(FLAG).map(([key, flag]) => [
    flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()),
    key,
  ]),
) as Record<string, Key>;

function toInt(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  return typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : undefined;
}

/** Like the file: a duration needs its unit, except 0. */
function toDurationMs(v: unknown): number | undefined {
  if (typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) && Number(v) !== 0) return undefined;
  return typeof v === 'number' && v !== 0 ? undefined : parseDurationMs(v);
}

/**
 * CLI option values (e.g. commander's opts(): `{ duration: '30s', rate: '5/s', clients: '500',
 * protocols: 'sse,websocket' }`) → overrides. Other keys are ignored. Throws PB_BAD_OPTION
 * listing every flag that does not parse (`--duration: expected a duration such as "5s"`).
 */
export function overridesFromFlags(flags: Record<string, unknown>): ScenarioOverrides {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [flag, raw] of Object.entries(flags)) {
    const key = KEY_OF_FLAG[flag];
    if (!key || raw === undefined) continue;
    const value = FROM_FLAG[key](raw);
    const rule = value === undefined ? overrideRule(key, undefined) : overrideRule(key, value);
    if (rule) problems.push(`--${flag}: ${rule}`);
    else out[key] = value;
  }
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', 'command-line flags', problems);
  return out as ScenarioOverrides;
}
