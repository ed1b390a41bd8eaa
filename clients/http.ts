/**
 * HTTP plumbing for the polling and SSE clients: one keep-alive Agent per simulated
 * client with maxSockets 1 (one TCP connection, like a browser tab), every socket handed
 * to the client's ByteMeter, an absolute request timeout, and errors reduced to a kind
 * ('timeout', 'ECONNRESET', 'http-503', 'bad-json', …) for counting.
 */
import http from 'node:http';
import type { ByteMeter } from './bytes.ts';

/** One TCP connection per simulated client, reused across requests. */
export function createAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
}

export interface Target {
  host: string;
  port: number;
}

/** Host and port of a base URL such as http://127.0.0.1:8080 (parsed once per client). */
export function targetOf(baseUrl: string): Target {
  const u = new URL(baseUrl);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
}

/** Reduce an error to a countable kind. */
export function errorKind(err: unknown): string {
  const e = err as { code?: unknown; kind?: unknown };
  if (typeof e?.kind === 'string') return e.kind;
  if (typeof e?.code === 'string') return e.code;
  return 'error';
}

/** JSON.parse of an object, or undefined for anything else (bad input from the wire is counted, not thrown). */
export function parseJson<T extends object>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function kindError(kind: string, message = kind): Error & { kind: string } {
  return Object.assign(new Error(message), { kind });
}

export interface GetOptions {
  agent: http.Agent;
  target: Target;
  path: string;
  headers: Record<string, string>;
  meter: ByteMeter;
  /** Whole request (connect → body end), ms. */
  timeoutMs: number;
}

/**
 * GET a JSON body. `done` is called exactly once: (null, body) or (error with `kind`).
 * Returns an abort function (destroys the request's socket; `done` is not called).
 */
export function getJson<T>(
  opts: GetOptions,
  done: (err: (Error & { kind?: string }) | null, body?: T) => void,
): () => void {
  let settled = false;
  const finish = (err: Error | null, body?: T): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(err, body);
  };
  const req = http.get(
    {
      agent: opts.agent,
      host: opts.target.host,
      port: opts.target.port,
      path: opts.path,
      headers: opts.headers,
    },
    (res) => {
      const status = res.statusCode ?? 0;
      const encoding = res.headers['content-encoding'];
      if (status !== 200 || (encoding !== undefined && encoding !== 'identity')) {
        res.resume();
        finish(kindError(status !== 200 ? `http-${status}` : 'http-encoding'));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: T;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
        } catch {
          finish(kindError('bad-json'));
          return;
        }
        finish(null, body);
      });
      res.on('error', (err) => finish(err));
      res.on('close', () => {
        if (!res.complete) finish(kindError('aborted', 'connection closed mid-answer'));
      });
    },
  );
  req.on('socket', (s) => opts.meter.track(s));
  req.on('error', (err) => finish(err));
  const timer = setTimeout(
    () => req.destroy(kindError('timeout', `no answer within ${opts.timeoutMs} ms`)),
    opts.timeoutMs,
  );
  return () => {
    settled = true;
    clearTimeout(timer);
    req.destroy();
  };
}
