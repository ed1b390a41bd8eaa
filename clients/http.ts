/**
 * HTTP helpers shared by the polling, SSE and WebSocket clients: the target of a base URL,
 * errors reduced to a countable kind ('timeout', 'ECONNRESET', 'http-503', 'bad-json', …)
 * and lenient JSON parsing. The polling clients' connection itself is ./http-conn.ts.
 */

export interface Target {
  host: string;
  port: number;
}

/** Host and port of a base URL such as http://127.0.0.1:8080 (parsed once per client). */
export function targetOf(baseUrl: string): Target {
  const u = new URL(baseUrl);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 80) };
}

/** Reduce an error to a countable kind: its `kind`, else its `code`, else 'error'. */
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

/** An Error carrying a countable `kind` (message defaults to the kind). */
export function kindError(kind: string, message = kind): Error & { kind: string } {
  return Object.assign(new Error(message), { kind });
}
