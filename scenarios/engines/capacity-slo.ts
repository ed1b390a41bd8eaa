/**
 * The SLO a capacity step must keep: `--slo p99=100ms` (comma-separated: p50, p90, p99, max),
 * checked against one step's figures. Every step must also run without errors, and an
 * autocannon step must achieve its rate (else the server fell behind: coordinated omission).
 */
import { CAPACITY_DEFAULTS } from '../../core/defaults.ts';
import { PushbenchError } from '../../core/errors.ts';
import type { CapacitySection, CapacityStep } from '../../core/types.ts';
import { formatMs, parseDurationMs } from '../../core/units.ts';

export type CapacitySlo = CapacitySection['slo'];

const KEYS: Record<string, keyof CapacitySlo> = { p50: 'p50Ms', p90: 'p90Ms', p99: 'p99Ms', max: 'maxMs' };

/** "p99=100ms,p50=20ms" → { p99Ms: 100, p50Ms: 20 }; default p99 = CAPACITY_DEFAULTS.sloP99Ms. */
export function parseCapacitySlo(text: string | undefined): CapacitySlo {
  if (text === undefined || text.trim() === '') return { p99Ms: CAPACITY_DEFAULTS.sloP99Ms };
  const slo: CapacitySlo = {};
  const problems: string[] = [];
  for (const part of text.split(',')) {
    const [rawKey, rawValue, extra] = part.split('=').map((x) => x.trim());
    const key = KEYS[rawKey?.toLowerCase() ?? ''];
    const ms = parseDurationMs(rawValue);
    if (!key)
      problems.push(`--slo ${part.trim()}: expected one of ${Object.keys(KEYS).join(', ')}=<duration>`);
    else if (extra !== undefined || ms === undefined || ms <= 0)
      problems.push(`--slo ${part.trim()}: expected a duration such as "100ms"`);
    else slo[key] = ms;
  }
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
  return slo;
}

/** "p99 ≤ 100ms" for messages and tables. */
export function describeSlo(slo: CapacitySlo): string {
  return (Object.entries(KEYS) as Array<[string, keyof CapacitySlo]>)
    .filter(([, k]) => slo[k] !== undefined)
    .map(([name, k]) => `${name} ≤ ${formatMs(slo[k] as number)}`)
    .join(', ');
}

/** Why a step breaks the SLO (empty: it held). Latency figures of the step are in ms. */
export function sloReasons(
  slo: CapacitySlo,
  step: Pick<CapacityStep, 'p50' | 'p90' | 'p99' | 'max'>,
): string[] {
  const out: string[] = [];
  const check = (name: string, value: number, limit: number | undefined) => {
    if (limit !== undefined && value > limit) out.push(`${name} ${formatMs(value)} > ${formatMs(limit)}`);
  };
  check('p50', step.p50, slo.p50Ms);
  check('p90', step.p90, slo.p90Ms);
  check('p99', step.p99, slo.p99Ms);
  check('max', step.max, slo.maxMs);
  return out;
}
