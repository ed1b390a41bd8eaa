/**
 * Generated payloads of exactly `sizeBytes` ASCII bytes, a pool of distinct ones larger than
 * a compressor's window (so compression is measured honestly across messages):
 * - `random`: characters drawn uniformly from 64 symbols — incompressible beyond the
 *   ~6 bits per byte of the alphabet;
 * - `json`: a realistic object (an order feed: ids, names, prices, statuses, timestamps,
 *   repeated keys) serialized as JSON and cut to the size — as compressible as real API
 *   traffic. Below a few dozen bytes no such object fits: the payload is random then.
 */
export type PayloadKind = 'random' | 'json';

export const PAYLOAD_KINDS: readonly PayloadKind[] = ['random', 'json'];

/**
 * Distinct payloads: at least 16, and together more than deflate's 32 KiB window, so that a
 * compressing transport never finds a whole earlier payload to point back to.
 */
const MIN_POOL = 16;
const POOL_BYTES = 64 * 1024;
const MAX_POOL = 4_096;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
const ITEMS = ['keyboard', 'monitor', 'mouse', 'laptop', 'headset', 'webcam', 'dock', 'cable'];
const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];
const CITIES = ['Berlin', 'Lisbon', 'Oslo', 'Madrid', 'Vienna', 'Dublin', 'Prague', 'Warsaw'];
/** Smallest json payload: `{"orders":[],"pad":""}` plus a little. */
const MIN_JSON_BYTES = 24;

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)];
}

function randomText(sizeBytes: number, random: () => number): string {
  let s = '';
  for (let j = 0; j < sizeBytes; j++) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return s;
}

function order(random: () => number, n: number): string {
  const o = {
    id: 100_000 + Math.floor(random() * 900_000),
    customer: { name: pick(NAMES, random), city: pick(CITIES, random) },
    item: pick(ITEMS, random),
    quantity: 1 + Math.floor(random() * 5),
    price: Math.round(random() * 100_000) / 100,
    currency: 'EUR',
    status: pick(STATUSES, random),
    createdAt: new Date(1_764_000_000_000 + n * 1_000 + Math.floor(random() * 1_000)).toISOString(),
  };
  return JSON.stringify(o);
}

/** A JSON object of exactly sizeBytes: orders while they fit, then a `pad` string of spaces and words. */
function jsonText(sizeBytes: number, random: () => number): string {
  if (sizeBytes < MIN_JSON_BYTES) return randomText(sizeBytes, random);
  const tail = ',"pad":""}';
  let body = '{"orders":[';
  for (let n = 0; ; n++) {
    const next = order(random, n);
    const sep = n === 0 ? '' : ',';
    if (body.length + sep.length + next.length + 1 + tail.length > sizeBytes) break;
    body += sep + next;
  }
  body += '],"pad":"';
  const room = sizeBytes - body.length - 2;
  let pad = '';
  while (pad.length < room) pad += `${pick(ITEMS, random)} `;
  return `${body}${pad.slice(0, room)}"}`;
}

/** Distinct payloads of exactly sizeBytes ASCII bytes (the pool size above). */
export function makePayloads(
  sizeBytes: number,
  random: () => number,
  kind: PayloadKind = 'random',
): string[] {
  const pool: string[] = [];
  const count = Math.min(MAX_POOL, Math.max(MIN_POOL, Math.ceil(POOL_BYTES / Math.max(1, sizeBytes))));
  for (let i = 0; i < count; i++) {
    pool.push(kind === 'json' ? jsonText(sizeBytes, random) : randomText(sizeBytes, random));
  }
  return pool;
}
