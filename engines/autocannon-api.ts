/**
 * The slice of autocannon 8's programmatic API the capacity probe uses, typed (autocannon
 * ships no types), with abort support. Latencies are autocannon's own HDR figures, in ms.
 */
import { createRequire } from 'node:module';

export interface AutocannonOptions {
  url: string;
  connections: number;
  /** Fixed-rate mode: requests per second over all connections (a per-connection quota each second). */
  overallRate?: number;
  /** Seconds. */
  duration: number;
  /** Request timeout, seconds. */
  timeout: number;
  /** autocannon back-fills latencies in rate mode unless this is set (see docs/engines.md). */
  ignoreCoordinatedOmission?: boolean;
}

export interface AutocannonLatency {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  totalCount: number;
}

export interface AutocannonResult {
  /** Measured seconds (autocannon rounds to 10 ms). */
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  latency: AutocannonLatency;
  requests: { total: number; sent: number; average: number };
}

interface Instance {
  stop(): void;
}
type Autocannon = (
  opts: AutocannonOptions,
  cb: (err: Error | null, result: AutocannonResult) => void,
) => Instance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** Run autocannon once; `signal` stops it early (the partial result is still returned). */
export function runAutocannon(opts: AutocannonOptions, signal?: AbortSignal): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(opts, (err, result) => {
      signal?.removeEventListener('abort', stop);
      if (err) reject(err);
      else resolve(result);
    });
    const stop = () => instance.stop();
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}
