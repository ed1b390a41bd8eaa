/**
 * Number formatting for the report. Every formatter takes `number | null` and answers '—'
 * for anything that is not a finite number, so no "NaN" or "undefined" reaches the page.
 */
import { formatBytes, formatMs } from '../core/units.ts';

export const MISSING = '—';

/** The units a metric or chart axis can carry. */
export type Unit =
  | 'ms'
  | 'bytes'
  | 'bytesPerS'
  | 'count'
  | 'pct'
  | 'perS'
  | 'mb'
  | 'kb'
  | 'cpuPct'
  | 'seconds';

/** A finite number or null: the only shape report code computes with. */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

function fixed(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Format a value in its unit for humans: 12.3ms, 1.2 KB, 1,234, 12.5%. */
export function formatValue(unit: Unit, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return MISSING;
  switch (unit) {
    case 'ms':
      // Sub-millisecond figures (loopback push latency, CPU per message) keep 2 significant digits.
      if (value === 0) return '0ms';
      return value > 0 && value < 1 ? `${Number(value.toPrecision(2))}ms` : formatMs(value);
    case 'seconds':
      return `${fixed(value, value >= 100 ? 0 : 1)}s`;
    case 'bytes':
      return formatBytes(value);
    case 'bytesPerS':
      return `${formatBytes(value)}/s`;
    case 'count':
      return Number.isInteger(value) ? value.toLocaleString('en-US') : fixed(value, 1);
    case 'pct':
    case 'cpuPct':
      return `${fixed(value, value !== 0 && Math.abs(value) < 10 ? 1 : 0)}%`;
    case 'perS':
      return `${fixed(value, value >= 100 || value === 0 ? 0 : 1)}/s`;
    case 'mb':
      return `${fixed(value, value >= 100 ? 0 : 1)} MB`;
    case 'kb':
      return `${fixed(value, value >= 100 ? 0 : 1)} KB`;
  }
}

/** A signed delta in the metric's unit (+12.3ms, −4 B) and its share when known. */
export function formatDelta(unit: Unit, delta: number | null): string {
  if (delta === null) return MISSING;
  if (delta === 0) return '±0';
  const sign = delta > 0 ? '+' : '−';
  return sign + formatValue(unit, Math.abs(delta));
}

/** A signed percentage: +12.5%, −3.0%. */
export function formatSignedPct(pct: number | null): string {
  if (pct === null || !Number.isFinite(pct)) return MISSING;
  if (pct === 0) return '±0%';
  return `${pct > 0 ? '+' : '−'}${fixed(Math.abs(pct), 1)}%`;
}

/** Human duration for a whole run: 30 s, 2 min 05 s. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return MISSING;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
