/**
 * Fault specs: `{ kind, direction?, ...params }` with numeric params whose unit is in the
 * name (latencyMs, rateKbps). Validated at the boundary; every problem is reported at once
 * with its path and the rule.
 */
import { FAULT_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import * as TOXICS from './toxics/registry.ts';
import type { DirectionSpec, ParamRule, Params, ToxicDefinition } from './types.ts';

export type FaultKind = keyof typeof TOXICS;

/** A fault as written by callers (scenario files strip their `at`, `for`, `clients` first). */
export interface FaultSpec {
  kind: FaultKind;
  direction?: DirectionSpec;
  [param: string]: unknown;
}

/** A validated fault: defaults filled in. */
export interface NormalizedFault {
  kind: FaultKind;
  direction: DirectionSpec;
  params: Params;
}

/** The registry as a plain object (a namespace object is read-only and keyed by export name). */
const REGISTRY: Readonly<Record<FaultKind, ToxicDefinition>> = { ...TOXICS };
export const FAULT_KINDS = Object.keys(REGISTRY) as FaultKind[];
const DIRECTIONS: readonly string[] = ['up', 'down', 'both'];

/** The registry entry of a kind. */
export function toxicDefinition(kind: FaultKind): ToxicDefinition {
  return REGISTRY[kind];
}

function isFaultKind(kind: unknown): kind is FaultKind {
  return typeof kind === 'string' && Object.hasOwn(REGISTRY, kind);
}

function paramProblem(path: string, value: unknown, rule: ParamRule): string | undefined {
  const range = `${rule.exclusiveMin ? '>' : '≥'} ${rule.min} and ≤ ${rule.max}`;
  if (value === undefined)
    return rule.default === undefined ? `${path}: required (a number ${range})` : undefined;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (rule.exclusiveMin ? value > rule.min : value >= rule.min) &&
    value <= rule.max;
  return ok ? undefined : `${path}: expected a number ${range}, got ${JSON.stringify(value)}`;
}

/** Every problem of `spec` (empty when valid); paths start with `path`, e.g. "faults[0]". */
export function faultProblems(spec: unknown, path = 'fault'): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return [`${path}: expected an object such as { kind: "latency", latencyMs: 50 }`];
  }
  const record = spec as Record<string, unknown>;
  if (!isFaultKind(record.kind)) {
    return [`${path}.kind: expected one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(record.kind)}`];
  }
  const def = REGISTRY[record.kind];
  const problems: string[] = [];
  const direction = record.direction;
  if (direction !== undefined && !DIRECTIONS.includes(direction as string)) {
    problems.push(`${path}.direction: expected one of up, down, both, got ${JSON.stringify(direction)}`);
  } else if (def.scope === 'connection' && direction !== undefined && direction !== 'both') {
    problems.push(`${path}.direction: ${record.kind} acts on the whole connection; expected "both" or none`);
  }
  const known = ['kind', 'direction', ...Object.keys(def.params)];
  for (const key of Object.keys(record)) {
    if (!known.includes(key))
      problems.push(`${path}.${key}: unknown key for ${record.kind} (known: ${known.join(', ')})`);
  }
  for (const [name, rule] of Object.entries(def.params)) {
    const problem = paramProblem(`${path}.${name}`, record[name], rule);
    if (problem) problems.push(problem);
  }
  return problems;
}

/** Validate and fill defaults; throws PB_BAD_OPTION listing every problem. */
export function validateFault(spec: unknown, path = 'fault'): NormalizedFault {
  const problems = faultProblems(spec, path);
  if (problems.length > 0) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
  const record = spec as FaultSpec;
  const def = toxicDefinition(record.kind);
  const params: Params = {};
  for (const [name, rule] of Object.entries(def.params)) {
    params[name] = (record[name] as number | undefined) ?? (rule.default as number);
  }
  return { kind: record.kind, direction: record.direction ?? FAULT_DEFAULTS.direction, params };
}
