/**
 * The HTTP load tools of comparison 3, each run as its own process against a URL for a
 * fixed time: autocannon (node_modules) always; Debian's `wrk` when it is installed
 * (it is C, so its rate shows autocannon's own ceiling). Rates count 2xx answers only.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

const run = promisify(execFile);
const AUTOCANNON_BIN = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface LoadResult {
  /** 2xx answers. */
  requests: number;
  ratePerS: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Errors, timeouts and non-2xx answers. */
  failures: number;
}

/** autocannon -c connections -d seconds (whole seconds, at least 1) against url. */
export async function autocannon(url: string, connections: number, durationMs: number): Promise<LoadResult> {
  const seconds = Math.max(1, Math.round(durationMs / 1000));
  const { stdout } = await run(
    process.execPath,
    [AUTOCANNON_BIN, '-c', String(connections), '-d', String(seconds), '-j', '-n', url],
    { timeout: durationMs + 30_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const r = JSON.parse(stdout) as {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    latency: { p50: number; p99: number };
  };
  return {
    requests: r['2xx'],
    ratePerS: r['2xx'] / r.duration,
    latencyP50Ms: r.latency.p50,
    latencyP99Ms: r.latency.p99,
    failures: r.errors + r.timeouts + r.non2xx,
  };
}

/** The wrk binary on PATH, or null. */
export async function findWrk(): Promise<string | null> {
  try {
    await run('wrk', ['--version'], { timeout: 5_000 });
    return 'wrk';
  } catch (err) {
    // wrk --version exits 1 after printing its version: installed all the same.
    const e = err as { code?: unknown; stdout?: string };
    return e.code !== 'ENOENT' && /wrk/i.test(e.stdout ?? '') ? 'wrk' : null;
  }
}

/** wrk -t1 -c connections -d seconds --latency against url. */
export async function wrk(url: string, connections: number, durationMs: number): Promise<LoadResult> {
  const seconds = Math.max(1, Math.round(durationMs / 1000));
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    timeout: durationMs + 30_000,
  });
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? Number.NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout)?.[1] ?? 0);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const failures = non2xx + (errors ? errors.slice(1).reduce((n, x) => n + Number(x), 0) : 0);
  const total = Number(/(\d+) requests in/.exec(stdout)?.[1] ?? Number.NaN);
  return {
    requests: total - non2xx,
    ratePerS: rate,
    latencyP50Ms: wrkMs(/\s50%\s+([\d.]+)(us|ms|s)/.exec(stdout)),
    latencyP99Ms: wrkMs(/\s99%\s+([\d.]+)(us|ms|s)/.exec(stdout)),
    failures,
  };
}

function wrkMs(m: RegExpExecArray | null): number {
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}
