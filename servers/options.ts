/**
 * Server options: SERVER_DEFAULTS spread in once, then checked (unknown keys,
 * types, ranges), reporting every problem at once as PB_BAD_OPTION.
 */
import { SERVER_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import { DEFAULT_PROTOCOLS, isProtocolName, PROTOCOLS, type ProtocolName } from '../core/types.ts';
import type { ResolvedOptions } from './context.ts';
import { PAYLOAD_KINDS } from './payloads.ts';

export interface ServerOptions extends Partial<typeof SERVER_DEFAULTS> {
  /** Protocols to serve (default: the four of DEFAULT_PROTOCOLS; socket.io on request). */
  protocols?: ProtocolName[];
  /**
   * Folder of the browser benchmark page to serve at GET /bench/ (clients/browser/page-dir.ts
   * benchPageDir()). Passed in because servers/ may not import clients/; absent: no /bench/.
   */
  benchPageDir?: string;
}

const PATTERNS = ['constant', 'poisson', 'burst'];
/** Numeric options: [min, max, integer?]. */
const RANGES: Partial<Record<keyof typeof SERVER_DEFAULTS, [number, number, boolean]>> = {
  port: [0, 65_535, true],
  ratePerS: [0, 1_000_000, false],
  sizeBytes: [0, 16 * 1024 * 1024, true],
  burstSize: [1, 1_000_000, true],
  retentionCount: [1, 10_000_000, true],
  retentionMs: [1, 24 * 3_600_000, false],
  retentionBytes: [1, 256 * 1024 * 1024, true],
  pollCacheBytes: [0, 1024 * 1024 * 1024, true],
  longPollWaitMs: [0, 3_600_000, true],
  longPollMaxWaitMs: [0, 3_600_000, true],
  sseKeepAliveMs: [1, 3_600_000, false],
  sseRetryMs: [0, 3_600_000, true],
  serverPingIntervalMs: [1, 3_600_000, false],
  socketioPingIntervalMs: [1, 3_600_000, true],
  socketioPingTimeoutMs: [1, 3_600_000, true],
  wsMaxPayloadBytes: [1, 1024 * 1024 * 1024, true],
  publishBodyLimitBytes: [1, 1024 * 1024 * 1024, true],
  sendBufferLimitBytes: [1, 1024 * 1024 * 1024, true],
  shutdownTimeoutMs: [1, 60_000, false],
  requestTimeoutMs: [100, 3_600_000, true],
  maxConnections: [1, 1_000_000, true],
};

/** Defaults + options, validated; throws PushbenchError PB_BAD_OPTION listing every problem. */
export function resolveOptions(options: ServerOptions = {}): ResolvedOptions {
  const problems: string[] = [];
  const known = new Set([...Object.keys(SERVER_DEFAULTS), 'protocols', 'benchPageDir']);
  for (const key of Object.keys(options)) if (!known.has(key)) problems.push(`${key}: unknown option`);
  const merged = {
    ...SERVER_DEFAULTS,
    protocols: [...DEFAULT_PROTOCOLS] as ProtocolName[],
    ...stripUndefined(options),
  };
  for (const [key, [min, max, integer]] of Object.entries(RANGES) as Array<
    [string, [number, number, boolean]]
  >) {
    const v = (merged as Record<string, unknown>)[key];
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      v >= min &&
      v <= max &&
      (!integer || Number.isInteger(v));
    if (!ok)
      problems.push(
        `${key}: expected ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`,
      );
  }
  if (typeof merged.host !== 'string' || merged.host === '')
    problems.push(`host: expected a host name or address`);
  if (!PATTERNS.includes(merged.pattern))
    problems.push(`pattern: expected one of ${PATTERNS.join(', ')}, got ${JSON.stringify(merged.pattern)}`);
  if (
    merged.benchPageDir !== undefined &&
    (typeof merged.benchPageDir !== 'string' || merged.benchPageDir === '')
  )
    problems.push('benchPageDir: expected a folder path');
  problems.push(...originProblems(merged.wsAllowedOrigins));
  if (typeof merged.perMessageDeflate !== 'boolean') problems.push('perMessageDeflate: expected a boolean');
  if (typeof merged.httpCompression !== 'boolean') problems.push('httpCompression: expected a boolean');
  if (!PAYLOAD_KINDS.includes(merged.payload))
    problems.push(
      `payload: expected one of ${PAYLOAD_KINDS.join(', ')}, got ${JSON.stringify(merged.payload)}`,
    );
  if (merged.longPollWaitMs > merged.longPollMaxWaitMs)
    problems.push('longPollWaitMs: must be ≤ longPollMaxWaitMs');
  problems.push(...protocolProblems(merged.protocols));
  if (problems.length) throw new PushbenchError('PB_BAD_OPTION', problems.join('; '), problems);
  return { ...merged, protocols: [...new Set(merged.protocols)] };
}

/** Each allowed origin is exactly an origin: scheme://host[:port], nothing after it. */
function originProblems(origins: unknown): string[] {
  if (!Array.isArray(origins))
    return ['wsAllowedOrigins: expected a list of origins like "http://127.0.0.1:8080"'];
  return origins
    .filter((o) => {
      if (typeof o !== 'string') return true;
      try {
        return new URL(o).origin !== o;
      } catch {
        return true;
      }
    })
    .map((o) => `wsAllowedOrigins: ${JSON.stringify(o)} is not an origin (expected scheme://host[:port])`);
}

function protocolProblems(protocols: unknown): string[] {
  if (!Array.isArray(protocols) || protocols.length === 0) {
    return [`protocols: expected a non-empty list of ${PROTOCOLS.join(', ')}`];
  }
  return protocols
    .filter((p) => typeof p !== 'string' || !isProtocolName(p))
    .map((p) => `protocols: unknown protocol ${JSON.stringify(p)} (expected ${PROTOCOLS.join(', ')})`);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
