/**
 * Which clients a fault hits: a seeded shuffle, so a run is repeatable and a larger share
 * with the same seed contains the smaller one.
 */
import { PushbenchError } from '../core/errors.ts';
import { mulberry32 } from '../core/random.ts';

export type Share = { percent: number } | { count: number };

export { mulberry32 };

/** How many of `total` a share selects: round(percent × total / 100), or min(count, total). */
export function shareCount(total: number, share: Share, path = 'clients'): number {
  if ('percent' in share) {
    const p = share.percent;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100) {
      throw new PushbenchError(
        'PB_BAD_OPTION',
        `${path}: expected a percentage 0–100, got ${JSON.stringify(p)}`,
      );
    }
    return Math.round((p * total) / 100);
  }
  const c = share.count;
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 0) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      `${path}: expected an integer count ≥ 0, got ${JSON.stringify(c)}`,
    );
  }
  return Math.min(c, total);
}

/** The ids a share selects, deterministic for (ids, seed), returned in the order of `ids`. */
export function selectClients(ids: readonly string[], share: Share, seed: number): string[] {
  const k = shareCount(ids.length, share);
  const random = mulberry32(seed);
  const order = ids.map((_, i) => i);
  // Partial Fisher–Yates: the first k positions are a uniform sample.
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const chosen = order.slice(0, k).sort((a, b) => a - b);
  return chosen.map((i) => ids[i]);
}
