/**
 * Human units for scenarios and CLI flags: durations ("500ms", "3s", "1m"), sizes
 * ("256B", "1KB", "2MiB") and rates ("10/s", "600/m"). Numbers pass through as the
 * base unit (ms, bytes, per second). Each parser returns undefined on bad input so
 * that validators can report the path and the rule.
 */

const DURATION_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1_000_000,
  mib: 1024 * 1024,
  gb: 1_000_000_000,
  gib: 1024 ** 3,
};
const RATE_PER_S: Record<string, number> = { s: 1, sec: 1, m: 1 / 60, min: 1 / 60, h: 1 / 3600 };

function parseWithUnit(value: unknown, table: Record<string, number>, bare: boolean): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  if (!m) return undefined;
  const unit = m[2].toLowerCase();
  if (unit === '') return bare ? Number(m[1]) : undefined;
  const factor = table[unit];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** "500ms" | "3s" | "1m" | number (ms) → milliseconds. A bare numeric string is ms. */
export function parseDurationMs(value: unknown): number | undefined {
  return parseWithUnit(value, DURATION_MS, true);
}

/** "256B" | "1KB" (1000) | "1KiB" (1024) | number (bytes) → bytes. */
export function parseSizeBytes(value: unknown): number | undefined {
  const n = parseWithUnit(value, SIZE_BYTES, true);
  return n === undefined ? undefined : Math.round(n);
}

/** "10/s" | "600/m" | number (per second) → messages per second. */
export function parseRatePerS(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*([a-zA-Z]+))?\s*$/.exec(value);
  if (!m) return undefined;
  if (m[2] === undefined) return Number(m[1]);
  const factor = RATE_PER_S[m[2].toLowerCase()];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** "30%" → { percent: 30 } ; 12 or "12" → { count: 12 }. */
export function parseShare(value: unknown): { percent: number } | { count: number } | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? { count: value } : undefined;
  if (typeof value !== 'string') return undefined;
  const pct = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  if (pct) {
    const percent = Number(pct[1]);
    return percent <= 100 ? { percent } : undefined;
  }
  return /^\s*\d+\s*$/.test(value) ? { count: Number(value) } : undefined;
}

/** Format milliseconds for humans: 0.42ms, 12.3ms, 4.5s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 10) return `${ms.toFixed(1)}ms`;
  return `${ms.toFixed(2)}ms`;
}

/** Format bytes for humans: 512 B, 1.2 KB, 3.4 MB (decimal units). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '-';
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${Math.round(bytes)} B`;
}

const BANDWIDTH_KBPS: Record<string, number> = {
  bps: 0.001,
  kbps: 1,
  mbps: 1000,
  gbps: 1_000_000,
  kbit: 1,
  mbit: 1000,
  gbit: 1_000_000,
};

/** "256kbps" | "1.5Mbps" | "64kbit" | number (kbps) → kilobits per second (1 kbps = 1000 bit/s). */
export function parseRateKbps(value: unknown): number | undefined {
  return parseWithUnit(value, BANDWIDTH_KBPS, false);
}
